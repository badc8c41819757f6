//! The pages over plain HTTP: languages, security headers, staff sign-in, CSRF refusal,
//! institutions kept apart, the learner's one-time link and share links, and hostile text
//! rendered inert.

use serde_json::{Value, json};

use crate::support::{Answer, Env, Request, Server, encode};

const SPEC_A: &str = "01936a3e-0000-7000-8000-000000000001"; // valdeoliva
const PASSWORD: &str = "microcred-demo";

/// The value of the first hidden CSRF field of a page.
fn csrf(page: &Answer) -> String {
    let start = page.body.find("name=\"csrf\" value=\"").unwrap_or_else(|| panic!("no CSRF field: {}", page.body));
    let rest = &page.body[start + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn sign_in(server: &Server, email: &str) -> String {
    let answer = Request::new(server.addr, "POST", "/sign-in").form(&[("email", email), ("password", PASSWORD)]);
    assert_eq!((answer.status, answer.header("location")), (303, Some("/issuer")), "{}", answer.body);
    answer.cookie("mc_session").expect("a session cookie")
}

/// Signs a learner in through the one-time link the server logs; returns the session cookie.
fn learner_sign_in(server: &Server, email: &str) -> String {
    let sent = Request::new(server.addr, "POST", "/learner/sign-in").form(&[("email", email)]);
    assert_eq!(sent.status, 200, "{}", sent.body);
    let path = server.sign_in_link_path();
    // Opening the link (as a mail scanner would) does not use it; the page's button does.
    for _ in 0..2 {
        let opened = Request::new(server.addr, "GET", &path).send();
        assert!(opened.status == 200 && opened.cookie("mc_session").is_none(), "{}", opened.body);
        assert!(opened.body.contains(&format!("action=\"{path}\"")), "{}", opened.body);
    }
    let forged = Request::new(server.addr, "POST", &path).header("Origin", "https://elsewhere.example").form(&[]);
    assert_eq!(forged.status, 403, "a link used from another site");
    let used = Request::new(server.addr, "POST", &path).form(&[]);
    assert_eq!((used.status, used.header("location")), (303, Some("/learner")), "{}", used.body);
    let again = Request::new(server.addr, "POST", &path).form(&[]);
    assert_eq!(again.status, 401, "a sign-in link works once");
    used.cookie("mc_session").unwrap()
}

#[test]
fn languages_headers_and_staff_sign_in() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let home = Request::new(server.addr, "GET", "/").header("Accept-Language", "es-ES,es;q=0.9,en;q=0.8").send();
    assert!(home.body.contains("lang=\"es\"") && home.body.contains("Microcredenciales fiables"), "{}", home.body);
    let csp = home.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "no script runs: {csp}");
    let english = Request::new(server.addr, "GET", "/?lang=en").header("Accept-Language", "es").send();
    assert!(english.body.contains("lang=\"en\""));
    assert_eq!(english.cookie("mc_lang").as_deref(), Some("mc_lang=en"), "the switch is remembered");
    let remembered = Request::new(server.addr, "GET", "/verify").header("Cookie", "mc_lang=es").send();
    assert!(remembered.body.contains("Verificar una credencial"));

    // Staff sign-in.
    let wrong = Request::new(server.addr, "POST", "/sign-in")
        .form(&[("email", "staff@valdeoliva.example"), ("password", "not the password")]);
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("The email address or the password is wrong"), "{}", wrong.body);
    assert!(wrong.cookie("mc_session").is_none());
    let anonymous = Request::new(server.addr, "GET", "/issuer").send();
    assert_eq!((anonymous.status, anonymous.header("location")), (303, Some("/sign-in")));
    let session = sign_in(&server, "staff@valdeoliva.example");
    let dashboard = Request::new(server.addr, "GET", "/issuer").header("Cookie", &session).send();
    assert_eq!(dashboard.status, 200);
    assert!(
        dashboard.body.contains("Universidad de Valdeoliva") || dashboard.body.contains("Valdeoliva"),
        "{}",
        dashboard.body
    );
    let who = &dashboard.body[dashboard.body.find("class=\"who\"").unwrap()..];
    let who = &who[..who.find("</span>").unwrap()];
    assert!(who.ends_with("<span>Demo staff · University of Valdeoliva"), "the institution by name: {who}");

    // Forms need this session's CSRF token, from this site.
    let token = csrf(&dashboard);
    let issue = |csrf: &str, origin: &str| {
        Request::new(server.addr, "POST", "/issuer/issue").header("Cookie", &session).header("Origin", origin).form(&[
            ("csrf", csrf),
            ("spec", SPEC_A),
            ("learner", "aino.virtanen@learners.example"),
        ])
    };
    let own_origin = format!("http://{}", server.addr);
    assert_eq!(issue("forged", &own_origin).status, 403, "a wrong CSRF token");
    assert_eq!(issue(&token, "https://evil.example").status, 403, "another site's form");
    let issued = issue(&token, &own_origin);
    assert_eq!(issued.status, 303, "{}", issued.body);
    let location = issued.header("location").unwrap().to_owned();
    let credential_page = location.strip_suffix("?done=issued").expect("the page says it was issued").to_owned();
    let shown = Request::new(server.addr, "GET", &location).header("Cookie", &session).send();
    assert!(shown.body.contains("id=\"state\"") && shown.body.contains("Active"), "{}", shown.body);
    assert!(shown.body.contains("role=\"status\" id=\"notice\">Issued."), "{}", shown.body);

    // Another institution's staff cannot see it or act on it.
    let other = sign_in(&server, "staff@roccalba.example");
    let peek = Request::new(server.addr, "GET", &credential_page).header("Cookie", &other).send();
    assert_eq!(peek.status, 404);
    let other_token = csrf(&Request::new(server.addr, "GET", "/issuer").header("Cookie", &other).send());
    let revoke = Request::new(server.addr, "POST", &format!("{credential_page}/revoke"))
        .header("Cookie", &other)
        .form(&[("csrf", &other_token), ("reason", "not ours")]);
    assert_eq!(revoke.status, 404);
    let issue_theirs =
        Request::new(server.addr, "GET", &format!("/issuer/issue?spec={SPEC_A}")).header("Cookie", &other).send();
    assert_eq!(issue_theirs.status, 403);

    // Signing out ends the session.
    let out = Request::new(server.addr, "POST", "/sign-out").header("Cookie", &session).form(&[("csrf", &token)]);
    assert_eq!(out.status, 303);
    let after = Request::new(server.addr, "GET", "/issuer").header("Cookie", &session).send();
    assert_eq!(after.status, 303, "the old cookie no longer works");
    server.stop();
}

#[test]
fn a_shared_credential_renders_hostile_text_inert() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let server = Server::start(&env, &[]);
    let mut spec = Request::new(server.addr, "GET", &format!("/api/v1/specs/{SPEC_A}")).send().json();
    spec["id"] = json!("01936a3e-0000-7000-8000-0000000000bb");
    spec["title"] = json!({"es": "<script>window.__xss=1</script>Datos", "en": "<script>window.__xss=1</script>Data"});
    spec["description"] = json!({"es": "<svg onload=\"window.__xss=2\"></svg>", "en": "<svg onload=\"window.__xss=2\"></svg><img src=x onerror=alert(1)>"});
    let added = Request::new(server.addr, "POST", "/api/v1/specs").token(&token).json(&spec);
    assert_eq!(added.status, 201, "{}", added.body);
    let published = Request::new(server.addr, "POST", "/api/v1/specs/01936a3e-0000-7000-8000-0000000000bb/publish")
        .token(&token)
        .send();
    assert_eq!(published.status, 200, "{}", published.body);
    let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
        .token(&token)
        .json(&json!({"spec": "01936a3e-0000-7000-8000-0000000000bb", "learner": "aino.virtanen@learners.example", "name": "Aino Virtanen"}));
    assert_eq!(issued.status, 201, "{}", issued.body);
    let id = issued.json()["credential"]["id"].as_str().unwrap().to_owned();

    // The learner signs in, finds it, and shares it.
    let unknown = Request::new(server.addr, "POST", "/learner/sign-in").form(&[("email", "nobody@example.org")]);
    assert_eq!(unknown.status, 200, "the same answer for an unknown address");
    let session = learner_sign_in(&server, "aino.virtanen@learners.example");
    let space = Request::new(server.addr, "GET", "/learner").header("Cookie", &session).send();
    assert!(space.body.contains(&format!("credential-{id}")), "{}", space.body);
    let download = Request::new(server.addr, "GET", &format!("/learner/credentials/{id}/credential.json"))
        .header("Cookie", &session)
        .send();
    assert_eq!(download.json()["id"], format!("urn:uuid:{id}"));
    assert!(download.header("content-disposition").unwrap().starts_with("attachment"));
    let forged = Request::new(server.addr, "POST", &format!("/learner/credentials/{id}/share"))
        .header("Cookie", &session)
        .form(&[("csrf", "forged"), ("days", "30")]);
    assert_eq!(forged.status, 403);
    let too_long = Request::new(server.addr, "POST", &format!("/learner/credentials/{id}/share"))
        .header("Cookie", &session)
        .form(&[("csrf", &csrf(&space)), ("days", "5000")]);
    assert_eq!(too_long.status, 422, "{}", too_long.body);
    let shared = Request::new(server.addr, "POST", &format!("/learner/credentials/{id}/share"))
        .header("Cookie", &session)
        .form(&[("csrf", &csrf(&space)), ("days", "30")]);
    assert_eq!(shared.status, 303, "{}", shared.body);
    let space = Request::new(server.addr, "GET", "/learner").header("Cookie", &session).send();
    let link = &space.body[space.body.find("/c/").unwrap()..];
    let link = &link[..link.find('"').unwrap()];

    // Anyone with the link sees it, inert.
    let page = Request::new(server.addr, "GET", link).header("Accept-Language", "en").send();
    assert_eq!(page.status, 200, "{}", page.body);
    // The title as signed, in the specification's default language.
    assert!(page.body.contains("&#60;script&#62;window.__xss=1&#60;/script&#62;Datos"), "escaped: {}", page.body);
    assert!(
        !page.body.contains("<script>") && !page.body.contains("<svg") && !page.body.contains("<img"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Aino Virtanen"), "the learner's name");
    assert!(page.body.contains("id=\"verdict\">Valid"), "{}", page.body);
    let other_learner = Request::new(server.addr, "GET", &format!("/learner/credentials/{id}/credential.json"))
        .header("Cookie", &learner_sign_in(&server, "jose.martinez@learners.example"))
        .send();
    assert_eq!(other_learner.status, 404, "another learner's credential");
    assert_eq!(Request::new(server.addr, "GET", "/c/not-a-link").send().status, 404);

    // /verify opens a link: one to a credential shared here is read from the database.
    let opened = Request::new(server.addr, "GET", &format!("/verify?lang=en&url=http://{}{link}", server.addr)).send();
    assert!(opened.body.contains("id=\"verdict\">Valid"), "{}", opened.body);
    let plain = Request::new(server.addr, "GET", "/verify?url=http://example.org/credential.json").send();
    assert_eq!(plain.status, 422);
    assert_eq!(error_message(&plain), "Give an https:// address, or a link shared from microcred.");
    assert!(plain.body.contains("id=\"credential\""), "the form stays: {}", plain.body);
    let private = Request::new(server.addr, "GET", "/verify?url=https://127.0.0.1/credential.json").send();
    assert_eq!(private.status, 422);
    assert!(private.body.contains("https://127.0.0.1/credential.json could not be fetched"), "{}", private.body);
    server.stop();
}

/// The message of an error page.
fn error_message(page: &Answer) -> &str {
    let start = page.body.find("id=\"error\">").unwrap_or_else(|| panic!("no error message: {}", page.body));
    let rest = &page.body[start + "id=\"error\">".len()..];
    &rest[..rest.find("</p>").unwrap()]
}

/// `/verify?url=` refuses every address that is not globally reachable, however it is
/// written (a name, IPv4, IPv6, IPv6 forms that embed an IPv4 address), before connecting to
/// it, and says the same whatever went wrong, so that the page tells nothing about the
/// server's network; the detail is in the log.
#[test]
fn verifying_by_address_reaches_no_local_address_and_says_the_same_for_every_failure() {
    let env = Env::sqlite();
    let server = Server::start(&env, &[]);
    // A port that is open on this machine: any connection to it would be seen.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let hosts = [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "10.0.0.1",
        "169.254.169.254",
        "[::ffff:127.0.0.1]",
        "[::127.0.0.1]",
        "[64:ff9b::127.0.0.1]",
        "[64:ff9b:1::7f00:1]",
        "[2002:7f00:1::1]",
        "[2001:0:7f00:1::f7f7:fbfb]",
        "[fec0::1]",
        "[100::1]",
    ];
    let mut messages = std::collections::BTreeMap::new();
    for host in hosts {
        let url = format!("https://{host}:{port}/credential.json");
        let page = Request::new(server.addr, "GET", &format!("/verify?lang=en&url={}", encode(&url))).send();
        assert_eq!(page.status, 422, "{url}: {}", page.body);
        messages.entry(error_message(&page).replace(&url, "URL")).or_insert_with(Vec::new).push(host);
    }
    let said = "No credential could be fetched from this address. (<span lang=\"en\">URL could not be fetched</span>)";
    let expected = std::collections::BTreeMap::from([(said.to_owned(), hosts.to_vec())]);
    assert_eq!(messages, expected, "one message for every failure");
    let accepted = listener.accept();
    assert!(
        accepted.as_ref().is_err_and(|err| err.kind() == std::io::ErrorKind::WouldBlock),
        "nothing connects to the local port: {accepted:?}"
    );
    let logged = server.logged("could not fetch");
    assert!(logged.iter().any(|line| line.contains("not globally reachable")), "the detail is logged: {logged:#?}");
    server.stop();
}

#[test]
fn the_catalogue_pages_search_filter_and_show_the_quality_labels() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let all = Request::new(server.addr, "GET", "/catalogue").send();
    assert_eq!(all.status, 200);
    assert!(all.body.contains("<strong>15</strong>"), "{}", all.body);
    let found = Request::new(server.addr, "GET", "/catalogue?q=gestion+sostenible&lang=es").send();
    assert!(found.body.contains("<strong>1</strong> microcredenciales encontradas"), "{}", found.body);
    assert!(found.body.contains("Gestión sostenible de destinos turísticos"));
    // A facet value is a link that adds its filter, and an active filter a link that removes it.
    let filtered = Request::new(server.addr, "GET", "/catalogue?eqf=6").header("Accept-Language", "en").send();
    assert!(
        filtered.body.contains("href=\"/catalogue\" title=\"Remove filter\">EQF level 6 <span aria-hidden=\"true\">×"),
        "{}",
        filtered.body
    );
    assert!(filtered.body.contains("href=\"/catalogue?eqf=6&#38;country=ES\""), "{}", filtered.body);
    // A description's beginning under each title; orders by title and by credits.
    assert!(all.body.contains("<p class=\"snippet\" lang=\""), "{}", all.body);
    let titles = |body: &str| -> Vec<String> {
        body.split("<a href=\"/catalogue/0")
            .skip(1)
            .map(|rest| rest[rest.find('>').unwrap() + 1..rest.find("</a>").unwrap()].to_owned())
            .collect()
    };
    let by_title = titles(&Request::new(server.addr, "GET", "/catalogue?sort=title&lang=en").send().body);
    let mut sorted = by_title.clone();
    sorted.sort_by_key(|title| title.to_lowercase());
    assert_eq!(by_title.len(), 15);
    assert_eq!(by_title.first(), sorted.first(), "{by_title:?}");
    let wrong_order = Request::new(server.addr, "GET", "/catalogue?sort=cheapest").send();
    assert_eq!(wrong_order.status, 422);
    assert!(wrong_order.body.contains("is not an order"), "{}", wrong_order.body);
    let wrong = Request::new(server.addr, "GET", "/catalogue?eqf=12").send();
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.body.contains("eqf: &#34;12&#34; is not a value of this filter") || wrong.body.contains("eqf: \"12\""),
        "{}",
        wrong.body
    );

    let page = Request::new(server.addr, "GET", "/catalogue/01936a3e-0000-7000-8000-000000000013")
        .header("Accept-Language", "en")
        .send();
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Common Microcredential Framework (European MOOC Consortium): <strong>Not compliant</strong>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("cmf.workload-ects"), "what to mend is for the issuer's staff, not the public");
    assert!(page.body.contains("ASIIN") || page.body.contains("ACQUIN"), "the accreditation is shown");
    assert_eq!(Request::new(server.addr, "GET", "/catalogue/01936a3e-0000-7000-8000-0000000000ff").send().status, 404);
    server.stop();
}

#[test]
fn the_issuer_writes_checks_saves_and_publishes_a_specification() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let session = sign_in(&server, "staff@valdeoliva.example");
    let form = Request::new(server.addr, "GET", "/issuer/specs/new").header("Cookie", &session).send();
    assert_eq!(form.status, 200);
    let token = csrf(&form);
    let origin = format!("http://{}", server.addr);
    let submit =
        |id: &str, document: &str, action: &str| {
            Request::new(server.addr, "POST", "/issuer/specs")
                .header("Cookie", &session)
                .header("Origin", &origin)
                .form(&[("csrf", token.as_str()), ("id", id), ("document", document), ("action", action)])
        };
    let document = r#"{"id": "01936a3e-0000-7000-8000-0000000000c1", "awarding_bodies": ["valdeoliva"], "languages": ["en"],
        "title": {"en": "Heritage interpretation"}, "learning_outcomes": [{"text": {"en": "Design a guided visit"}}],
        "workload": {"ects": 4, "hours": 100}, "assessment": {"kind": "summative", "methods": ["project"]},
        "participation": "onsite", "quality_assurance": {"internal": true}}"#;

    let checked = submit("", document, "check");
    assert_eq!(checked.status, 200);
    assert!(
        checked.body.contains("Checked, not saved.") && checked.body.contains("ob3.achievement-description"),
        "{}",
        checked.body
    );
    let broken = submit("", "{\"title\": ", "save");
    assert_eq!(broken.status, 422, "{}", broken.body);
    assert!(broken.body.contains("Not saved"), "{}", broken.body);

    let saved = submit("", document, "save");
    assert_eq!(saved.status, 303, "{}", saved.body);
    let admin_path = saved.header("location").unwrap().to_owned();
    let admin = Request::new(server.addr, "GET", &admin_path).header("Cookie", &session).send();
    assert!(
        admin.body.contains("id=\"publication\">Draft") && admin.body.contains("id=\"publish\" disabled"),
        "{}",
        admin.body
    );
    let publish_confirmed = |confirm: &str| {
        Request::new(server.addr, "POST", &format!("{admin_path}/publish"))
            .header("Cookie", &session)
            .header("Origin", &origin)
            .form(&[("csrf", token.as_str()), ("confirm", confirm)])
    };
    let publish = || publish_confirmed("");
    let refused = publish();
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Publishing is refused") && refused.body.contains("description"), "{}", refused.body);

    let mended = document.replace(
        "\"learning_outcomes\"",
        "\"description\": {\"en\": \"Interpreting heritage sites for visitors.\"}, \"learning_outcomes\"",
    );
    let edited = submit("01936a3e-0000-7000-8000-0000000000c1", &mended, "save");
    assert_eq!(edited.status, 303, "{}", edited.body);
    // Not every framework is met: publishing asks first, and publishes once confirmed.
    let asked = publish();
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        asked.body.contains("id=\"confirm-publish\"") && asked.body.contains("id=\"publication\">Draft"),
        "{}",
        asked.body
    );
    let published = publish_confirmed("yes");
    assert_eq!(published.status, 303, "{}", published.body);
    assert_eq!(published.header("location"), Some(format!("{admin_path}?done=published").as_str()));
    let admin = Request::new(server.addr, "GET", &admin_path).header("Cookie", &session).send();
    assert!(admin.body.contains("id=\"publication\">Published"), "{}", admin.body);
    let found = Request::new(server.addr, "GET", "/catalogue?q=heritage+interpretation").send();
    assert!(found.body.contains("Heritage interpretation"), "{}", found.body);

    // Another institution's staff can neither see its page nor publish it.
    let other = sign_in(&server, "staff@roccalba.example");
    assert_eq!(Request::new(server.addr, "GET", &admin_path).header("Cookie", &other).send().status, 403);
    let other_token = csrf(&Request::new(server.addr, "GET", "/issuer").header("Cookie", &other).send());
    let withdraw = Request::new(server.addr, "POST", &format!("{admin_path}/withdraw"))
        .header("Cookie", &other)
        .header("Origin", &origin)
        .form(&[("csrf", other_token.as_str())]);
    assert_eq!(withdraw.status, 403);
    server.stop();
}

/// The institution named as an awarding body sees the request on its dashboard, in its
/// language, and its admin agrees there; the issuer's page shows each answer.
#[test]
fn a_co_awarding_request_is_answered_on_the_dashboard() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let mut spec = Request::new(server.addr, "GET", &format!("/api/v1/specs/{SPEC_A}")).send().json();
    let id = "01936a3e-0000-7000-8000-0000000000c2";
    spec["id"] = json!(id);
    spec["awarding_bodies"] = json!(["valdeoliva", "roccalba"]);
    assert_eq!(Request::new(server.addr, "POST", "/api/v1/specs").token(&token).json(&spec).status, 201);

    let issuer = sign_in(&server, "staff@valdeoliva.example");
    let page =
        Request::new(server.addr, "GET", &format!("/issuer/specs/{id}?lang=es")).header("Cookie", &issuer).send();
    assert!(
        page.body.contains("Otorgada junto con") && page.body.contains("a la espera de su conformidad"),
        "{}",
        page.body
    );
    let refused = Request::new(server.addr, "POST", &format!("/issuer/specs/{id}/publish"))
        .header("Cookie", &issuer)
        .form(&[("csrf", &csrf(&page))]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("awaiting consent from roccalba"), "{}", refused.body);

    let co = sign_in(&server, "staff@roccalba.example");
    let dashboard = Request::new(server.addr, "GET", "/issuer?lang=en").header("Cookie", &co).send();
    assert!(
        dashboard.body.contains("Requests to award together") && dashboard.body.contains("valdeoliva"),
        "{}",
        dashboard.body
    );
    let forged = Request::new(server.addr, "POST", &format!("/issuer/consents/{id}/accept"))
        .header("Cookie", &co)
        .form(&[("csrf", "forged")]);
    assert_eq!(forged.status, 403, "a forged form changes nothing");
    let agreed = Request::new(server.addr, "POST", &format!("/issuer/consents/{id}/accept"))
        .header("Cookie", &co)
        .form(&[("csrf", &csrf(&dashboard))]);
    assert_eq!(agreed.status, 303, "{}", agreed.body);
    let page =
        Request::new(server.addr, "GET", &format!("/issuer/specs/{id}?lang=en")).header("Cookie", &issuer).send();
    assert!(page.body.contains("roccalba: agreed"), "{}", page.body);
    let published = Request::new(server.addr, "POST", &format!("/issuer/specs/{id}/publish"))
        .header("Cookie", &issuer)
        .form(&[("csrf", &csrf(&page))]);
    assert_eq!(published.status, 303, "{}", published.body);
    server.stop();
}

/// The network's administrator signs in to their own page, records an accreditation, takes an
/// issuer off the trusted list and puts it back; institutions' staff and strangers cannot.
#[test]
fn the_network_administrator_keeps_the_registry_on_their_page() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    assert_eq!(Request::new(server.addr, "GET", "/network").send().header("location"), Some("/sign-in"));
    let staff = sign_in(&server, "staff@valdeoliva.example");
    let refused = Request::new(server.addr, "GET", "/network").header("Cookie", &staff).send();
    assert_eq!(refused.status, 403, "an institution's admin is not the network's");

    let admin = sign_in(&server, "registry@network.example");
    let issuer_space = Request::new(server.addr, "GET", "/issuer").header("Cookie", &admin).send();
    assert_eq!(issuer_space.header("location"), Some("/network"), "the administrator is sent to their page");
    let page = Request::new(server.addr, "GET", "/network?lang=es").header("Cookie", &admin).send();
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Registro y emisores de confianza de la red") && page.body.contains("Acreditada"),
        "{}",
        page.body
    );
    let token = csrf(&page);

    let record = |fields: &[(&str, &str)]| {
        Request::new(server.addr, "POST", "/network/registry/valdeoliva").header("Cookie", &admin).form(fields)
    };
    let registry = || Request::new(server.addr, "GET", "/api/v1/registry").send().body;
    let before = registry();
    let forged =
        record(&[("csrf", "forged"), ("qa_body", "ANECA"), ("status", "provisional"), ("valid_from", "2026-01-01")]);
    assert_eq!(forged.status, 403);
    let wrong = record(&[("csrf", &token), ("qa_body", "ANECA"), ("status", "famous"), ("valid_from", "2026-13-01")]);
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        wrong.body.contains("valdeoliva: status") && wrong.body.contains("valdeoliva: valid_from"),
        "{}",
        wrong.body
    );
    assert_eq!(registry(), before, "refused facts change nothing");
    let done = record(&[
        ("csrf", &token),
        ("qa_body", "ANECA"),
        ("status", "provisional"),
        ("valid_from", "2026-01-01"),
        ("valid_until", ""),
        ("register_id", ""),
    ]);
    assert_eq!(done.status, 303, "{}", done.body);
    let registry: serde_json::Value = serde_json::from_str(&registry()).unwrap();
    let valdeoliva =
        registry["institutions"].as_array().unwrap().iter().find(|i| i["institution"] == "valdeoliva").unwrap().clone();
    assert_eq!(
        (valdeoliva["status"].as_str(), valdeoliva["valid_until"].is_null()),
        (Some("provisional"), true),
        "{valdeoliva}"
    );

    let trust = |action: &str| {
        Request::new(server.addr, "POST", &format!("/network/trust/valdeoliva/{action}"))
            .header("Cookie", &admin)
            .form(&[("csrf", token.as_str())])
    };
    let trusted_until = || {
        let list = Request::new(server.addr, "GET", "/api/v1/trusted-issuers").send().json();
        list["issuers"].as_array().unwrap().iter().find(|i| i["id"] == "valdeoliva").unwrap()["trusted_until"].clone()
    };
    assert_eq!(trust("remove").status, 303);
    assert!(trusted_until().is_string());
    let again = trust("remove");
    assert_eq!(again.status, 422, "it already left: {}", again.body);
    let page = Request::new(server.addr, "GET", "/network?lang=en").header("Cookie", &admin).send();
    assert!(page.body.contains("Left the list on") && page.body.contains("Put back on the list"), "{}", page.body);
    assert_eq!(trust("add").status, 303);
    assert!(trusted_until().is_null());
    server.stop();
}

/// Guessing staff passwords is slowed down: after five failures the sign-in page answers 429
/// with `Retry-After`, in the visitor's language, for a known address and an unknown one alike.
#[test]
fn repeated_failed_sign_ins_must_wait() {
    let env = Env::sqlite();
    // A clock that stands still: the wait never runs out during the test.
    let server = Server::start(&env, &["--demo", "--fixed-time", "2026-06-01T09:00:00Z"]);
    for email in ["staff@valdeoliva.example", "nobody@valdeoliva.example"] {
        let attempt = |password: &str| {
            Request::new(server.addr, "POST", "/sign-in?lang=es").form(&[("email", email), ("password", password)])
        };
        for _ in 0..5 {
            assert_eq!(attempt("not the password").status, 401, "{email}");
        }
        let refused = attempt(PASSWORD);
        assert_eq!(refused.status, 429, "{email}: even the right password waits: {}", refused.body);
        assert_eq!(refused.header("retry-after"), Some("1"), "{email}");
        assert!(refused.body.contains("Han fallado demasiados intentos"), "{}", refused.body);
        assert!(refused.cookie("mc_session").is_none(), "no session is opened");
    }
    server.stop();
}

/// Sign-in links cannot flood an inbox: after five for one address, known or not, the next
/// waits, with the same answer for both; using a link clears its address's count.
#[test]
fn sign_in_links_are_rate_limited_per_address() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo", "--fixed-time", "2026-06-01T09:00:00Z"]);
    for email in ["aino.virtanen@learners.example", "nobody@learners.example"] {
        let ask = || Request::new(server.addr, "POST", "/learner/sign-in?lang=en").form(&[("email", email)]);
        for _ in 0..5 {
            assert_eq!(ask().status, 200, "{email}");
        }
        let refused = ask();
        assert_eq!((refused.status, refused.header("retry-after")), (429, Some("1")), "{email}: {}", refused.body);
        assert!(refused.body.contains("Several links were asked for this address"), "{}", refused.body);
    }
    assert_eq!(server.logged("learner sign-in link").len(), 5, "only the known address got links");
    server.stop();
}

#[test]
fn a_credential_shows_what_was_signed_after_its_specification_is_edited() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let server = Server::start(&env, &[]);
    let issue = |email: &str, name: &str| {
        let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
            .token(&token)
            .json(&json!({"spec": SPEC_A, "learner": email, "name": name}));
        assert_eq!(issued.status, 201, "{}", issued.body);
        issued.json()["credential"].clone()
    };
    let before = issue("aino.virtanen@learners.example", "Aino Virtanen");
    assert_eq!(before["spec_version"], 1, "{before}");
    let id = before["id"].as_str().unwrap().to_owned();

    // The issuer edits the published specification: other credits, hours and outcomes.
    let mut spec = Request::new(server.addr, "GET", &format!("/api/v1/specs/{SPEC_A}")).send().json();
    // What a credential says is in its specification's default language.
    let language = spec["default_language"].as_str().unwrap().to_owned();
    let old_ects = spec["workload"]["ects"].as_f64().unwrap();
    let old_outcome = spec["learning_outcomes"][0]["text"][&language].as_str().unwrap().to_owned();
    let old_title = spec["title"][&language].as_str().unwrap().to_owned();
    spec["title"][&language] = json!("Renamed after issuing");
    spec["workload"]["ects"] = json!(old_ects + 2.0);
    spec["learning_outcomes"][0]["text"][&language] = json!("Explain every entry of a ledger written after issuing");
    let edited = Request::new(server.addr, "PUT", &format!("/api/v1/specs/{SPEC_A}")).token(&token).json(&spec);
    assert_eq!(edited.status, 200, "{}", edited.body);

    // The learner's space and the shared page show the credential as it was signed.
    let session = learner_sign_in(&server, "aino.virtanen@learners.example");
    let space = Request::new(server.addr, "GET", "/learner?lang=en").header("Cookie", &session).send();
    let shared = Request::new(server.addr, "POST", &format!("/learner/credentials/{id}/share"))
        .header("Cookie", &session)
        .form(&[("csrf", &csrf(&space)), ("days", "30")]);
    assert_eq!(shared.status, 303, "{}", shared.body);
    let space = Request::new(server.addr, "GET", "/learner?lang=en").header("Cookie", &session).send();
    let link = &space.body[space.body.find("/c/").unwrap()..];
    let link = link[..link.find('"').unwrap()].to_owned();
    let page = Request::new(server.addr, "GET", &format!("{link}?lang=en")).send();
    for (what, body) in [("learner space", &space.body), ("shared page", &page.body)] {
        assert!(body.contains(&old_title), "{what} shows the signed title: {body}");
        assert!(!body.contains("Renamed after issuing"), "{what} shows the edited title: {body}");
    }
    assert!(page.body.contains(&format!("<dd>{old_ects}</dd>")), "the signed credits: {}", page.body);
    assert!(!page.body.contains(&format!("<dd>{}</dd>", old_ects + 2.0)), "the edited credits: {}", page.body);
    assert!(page.body.contains(&old_outcome), "the signed outcome: {}", page.body);
    assert!(!page.body.contains("written after issuing"), "the edited outcome: {}", page.body);
    assert!(page.body.contains("id=\"verdict\">Valid"), "{}", page.body);

    // A credential issued now is of the new version, and says so.
    let after = issue("jose.martinez@learners.example", "José Martínez");
    assert_eq!(after["spec_version"], 2, "{after}");
    let document = Request::new(server.addr, "GET", &format!("/api/v1/credentials/{}", after["id"].as_str().unwrap()))
        .token(&token)
        .send()
        .json();
    assert_eq!(document["document"]["credentialSubject"]["achievement"]["version"], "2", "{document}");
    assert_eq!(document["document"]["credentialSubject"]["achievement"]["creditsAvailable"], old_ects + 2.0);
    server.stop();

    // Each version stays readable as it was.
    let first = env.ok(&["spec", "show", SPEC_A, "--at-version", "1", "--json"]);
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    let first_outcome = first["learning_outcomes"][0]["text"][&language].as_str();
    assert_eq!((first["workload"]["ects"].as_f64(), first_outcome), (Some(old_ects), Some(old_outcome.as_str())));
    let missing = env.fails(&["spec", "show", SPEC_A, "--at-version", "3"]);
    assert!(missing.contains("version 3"), "{missing}");
}

#[test]
fn sign_in_links_are_rate_limited_per_client_and_only_a_trusted_proxy_names_it() {
    use mc_app::FREE_FAILURES_PER_CLIENT as FREE;

    let env = Env::sqlite();
    let fixed = ["--demo", "--fixed-time", "2026-06-01T09:00:00Z"];
    // Behind a trusted proxy: each client is counted by the address the proxy names.
    let server = Server::start(&env, &[&fixed[..], &["--trusted-proxy", "127.0.0.0/8"]].concat());
    let ask = |server: &Server, n: u64, client: &str| {
        Request::new(server.addr, "POST", "/learner/sign-in?lang=en")
            .header("X-Forwarded-For", client)
            .form(&[("email", &format!("visitor-{n}@learners.example"))])
    };
    for n in 0..FREE {
        assert_eq!(ask(&server, n, "203.0.113.9").status, 200, "link {n}");
    }
    let refused = ask(&server, FREE, "203.0.113.9");
    assert_eq!((refused.status, refused.header("retry-after")), (429, Some("1")), "{}", refused.body);
    assert_eq!(ask(&server, FREE + 1, "198.51.100.4").status, 200, "another client behind the proxy");
    // What a client writes left of the proxy's entry is not believed.
    let spoofed = ask(&server, FREE + 2, "198.51.100.77, 203.0.113.9");
    assert_eq!(spoofed.status, 429, "{}", spoofed.body);
    server.stop();

    // Without a trusted proxy, the header is the client's to write and is ignored: the address
    // that connects is counted.
    let env = Env::sqlite();
    let server = Server::start(&env, &fixed);
    for n in 0..FREE {
        assert_eq!(ask(&server, n, &format!("203.0.113.{n}")).status, 200, "link {n}");
    }
    assert_eq!(ask(&server, FREE, "192.0.2.200").status, 429, "a new X-Forwarded-For does not start afresh");
    server.stop();
}

/// A credential issued as a European Digital Credential only: the learner space offers the
/// sealed EDC (for Europass), the shared page shows what it says, its format in words in both
/// languages, and its verification; a badge-only credential has no EDC to download.
#[test]
fn a_european_digital_credential_is_shown_downloaded_and_shared() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let server = Server::start(&env, &[]);
    let issue = |spec: &str, format: &str| {
        let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue").token(&token).json(&json!({
            "spec": spec, "learner": "aino.virtanen@learners.example", "name": "Aino Virtanen", "format": format,
        }));
        assert_eq!(issued.status, 201, "{}", issued.body);
        issued.json()["credential"]["id"].as_str().unwrap().to_owned()
    };
    let id = issue(SPEC_A, "edc");
    let session = learner_sign_in(&server, "aino.virtanen@learners.example");
    let space = Request::new(server.addr, "GET", "/learner").header("Cookie", &session).send();
    let card = &space.body[space.body.find(&format!("credential-{id}")).unwrap()..];
    let card = &card[..card.find("</article>").unwrap()];
    assert!(card.contains(&format!("/learner/credentials/{id}/credential.edc.json")), "{card}");
    assert!(!card.contains(&format!("/learner/credentials/{id}/credential.json")), "no badge was issued: {card}");
    // It counts towards a demo pathway, named by its title.
    let pathway = &space.body[space.body.find("id=\"pathway-valdeoliva-public-management\"").unwrap()..];
    let pathway = &pathway[..pathway.find("</article>").unwrap()];
    assert!(pathway.contains("Data Literacy for Public-Sector Decision-Making · 5 ECTS"), "{pathway}");
    let sealed = Request::new(server.addr, "GET", &format!("/learner/credentials/{id}/credential.edc.json"))
        .header("Cookie", &session)
        .send();
    assert_eq!(
        sealed.header("content-disposition"),
        Some(format!("attachment; filename=\"credential-{id}.edc.json\"").as_str())
    );
    let payload: Value = serde_json::from_str(sealed.json()["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["type"][1], "EuropeanDigitalCredential");

    let shared = Request::new(server.addr, "POST", &format!("/learner/credentials/{id}/share"))
        .header("Cookie", &session)
        .form(&[("csrf", &csrf(&space)), ("days", "30")]);
    assert_eq!(shared.status, 303, "{}", shared.body);
    let space = Request::new(server.addr, "GET", "/learner").header("Cookie", &session).send();
    let link = &space.body[space.body.find("/c/").unwrap()..];
    let link = link[..link.find('"').unwrap()].to_owned();
    for (language, format) in
        [("en", "European Digital Credential, sealed"), ("es", "Credencial Digital Europea, sellada")]
    {
        let page = Request::new(server.addr, "GET", &link).header("Accept-Language", language).send();
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains(&format!("id=\"format\">{format}<")), "{language}: {}", page.body);
        assert!(page.body.contains("Aino Virtanen"), "{}", page.body);
        assert!(page.body.contains("id=\"download-edc\""), "{}", page.body);
        assert!(!page.body.contains("id=\"download-badge\""), "{}", page.body);
    }
    let page = Request::new(server.addr, "GET", &link).header("Accept-Language", "en").send();
    assert!(page.body.contains("id=\"verdict\">Valid"), "{}", page.body);
    assert!(page.body.contains("TEST SEAL"), "the test seal is named: {}", page.body);
    let downloaded = Request::new(server.addr, "GET", &format!("{link}/credential.edc.json")).send();
    assert_eq!(downloaded.json(), sealed.json());

    let badge_only = issue("01936a3e-0000-7000-8000-000000000003", "ob3");
    let missing = Request::new(server.addr, "GET", &format!("/learner/credentials/{badge_only}/credential.edc.json"))
        .header("Cookie", &session)
        .header("Accept-Language", "es")
        .send();
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("se emitió solo como Open Badge"), "{}", missing.body);
    let unknown = Request::new(server.addr, "GET", &format!("{link}/credential.pdf")).send();
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    server.stop();
}

/// The ids of the credentials a learner space lists, in order.
fn credential_ids(page: &Answer) -> Vec<String> {
    page.body.split("id=\"credential-").skip(1).map(|card| card[..card.find('"').unwrap()].to_owned()).collect()
}

/// `microcred verify --offline --json` of the file at `path`, told where `server` publishes its
/// status lists.
fn verify_file(env: &Env, server: &Server, path: &str) -> Value {
    let output = env
        .command(&["verify", path, "--offline", "--json"])
        .env("MICROCRED_PUBLIC_URL", format!("http://{}", server.addr))
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stderr)))
}

/// The part of a page from the element with this id on.
fn from_id<'a>(page: &'a Answer, id: &str) -> &'a str {
    let start = page.body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}: {}", page.body));
    &page.body[start..]
}

/// A learner asks other institutions to recognise their credentials from the learner space;
/// each institution's recognition officer sees only the requests made of it, with the
/// proposal, and accepts, accepts for fewer ECTS or rejects with a reason, once; the learner
/// sees each answer and downloads the decision credential, which verifies. The recognised
/// credits count towards a pathway that counts them; a complete pathway's stacked credential is
/// issued once from the learner space, verifies and names its parts.
#[test]
fn a_learner_asks_for_recognition_and_completes_a_pathway() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    // The demo learner holds a graded statistics credential of Valdeoliva; a second one too.
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
        .token(&token)
        .json(&json!({"spec": SPEC_A, "learner": "jose.martinez@learners.example", "name": "José Martínez Núñez", "grade": "8"}));
    assert_eq!(issued.status, 201, "{}", issued.body);
    let second = serde_json::to_string(&issued.json()["document"]).unwrap();
    let second_id = serde_json::from_str::<Value>(&second).unwrap()["id"].as_str().unwrap().replace("urn:uuid:", "");
    let learner = learner_sign_in(&server, "jose.martinez@learners.example");
    let space = Request::new(server.addr, "GET", "/learner?lang=en").header("Cookie", &learner).send();
    assert!(space.body.contains("Ask another institution to recognise it"), "{}", space.body);
    let ask = |credential: &str, institution: &str, note: &str, csrf: &str| {
        Request::new(server.addr, "POST", &format!("/learner/credentials/{credential}/recognition?lang=en"))
            .header("Cookie", &learner)
            .form(&[("csrf", csrf), ("institution", institution), ("note", note)])
    };
    let token = csrf(&space);
    // The demo's credential of the same specification, graded 9.
    let cards: Vec<&str> = space.body.split("id=\"credential-").skip(1).collect();
    let title = |card: &str| card[card.find("<h2>").unwrap()..card.find("</h2>").unwrap()].to_owned();
    let same = title(cards.iter().find(|card| card.starts_with(&second_id)).unwrap());
    let first_id = cards
        .iter()
        .find(|card| !card.starts_with(&second_id) && title(card) == same)
        .map(|card| card[..card.find('"').unwrap()].to_owned())
        .unwrap();
    assert_eq!(ask(&first_id, "roccalba", "For my degree", "forged").status, 403, "a forged form asks nothing");
    let asked = ask(&first_id, "roccalba", "For my degree", &token);
    assert_eq!(asked.status, 303, "{}", asked.body);
    let again = ask(&first_id, "roccalba", "", &token);
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains("you already asked roccalba to recognise this credential"), "{}", again.body);
    let unknown = ask(&first_id, "nowhere", "", &token);
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert_eq!(ask(&second_id, "roccalba", "", &token).status, 303);
    assert_eq!(ask(&first_id, "jarvilaakso", "", &token).status, 303);

    // A credential from elsewhere that is not one is refused, saying why; nothing is stored.
    let upload = |bytes: &[u8]| {
        let boundary = "mc-recognition-boundary";
        let mut form = Vec::new();
        for (name, value) in [("csrf", token.as_str()), ("institution", "roccalba"), ("note", "")] {
            form.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        form.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.json\"\r\n\r\n")
                .as_bytes(),
        );
        form.extend_from_slice(bytes);
        form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Request::new(server.addr, "POST", "/learner/recognition?lang=en")
            .header("Cookie", &learner)
            .send_body(&format!("multipart/form-data; boundary={boundary}"), &form)
    };
    let empty = upload(b"");
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("is empty: choose a file"), "{}", empty.body);
    let tampered = second.replace("\"8\"", "\"10\"");
    assert_ne!(tampered, second);
    let refused = upload(tampered.as_bytes());
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("cannot be recognised: "), "{}", refused.body);
    let someone = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
        .token(&token)
        .json(&json!({"spec": SPEC_A, "learner": "aino.virtanen@learners.example", "name": "Aino Virtanen"}));
    let someone = serde_json::to_string(&someone.json()["document"]).unwrap();
    let stolen = upload(someone.as_bytes());
    assert_eq!(stolen.status, 422, "{}", stolen.body);
    assert!(stolen.body.contains("does not name you"), "another learner's credential: {}", stolen.body);
    let binary = upload(&[0xff, 0xfe, 0x00]);
    assert!(binary.body.contains("The file is not a credential"), "{}", binary.body);
    let space = Request::new(server.addr, "GET", "/learner?lang=en").header("Cookie", &learner).send();
    assert_eq!(from_id(&space, "recognition").matches("Waiting for an answer").count(), 3, "{}", space.body);

    // Each institution sees the requests made of it; Roccalba's officer sees the proposal.
    let valdeoliva = sign_in(&server, "staff@valdeoliva.example");
    let theirs = Request::new(server.addr, "GET", "/issuer/recognition?lang=en").header("Cookie", &valdeoliva).send();
    assert!(!theirs.body.contains("For my degree"), "another institution's requests: {}", theirs.body);
    let officer = sign_in(&server, "officer@roccalba.example");
    let dashboard = Request::new(server.addr, "GET", "/issuer?lang=en").header("Cookie", &officer).send();
    assert!(dashboard.body.contains("2 waiting"), "{}", dashboard.body);
    let page = Request::new(server.addr, "GET", "/issuer/recognition?lang=en").header("Cookie", &officer).send();
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("For my degree") && page.body.contains("José Martínez"), "{}", page.body);
    assert!(page.body.contains("the course STAT-1 Basic statistics (5 ECTS)"), "{}", page.body);
    let requests: Vec<String> = page
        .body
        .match_indices("action=\"/issuer/recognition/")
        .map(|(at, found)| {
            let rest = &page.body[at + found.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect();
    let (first, second) = (requests[0].clone(), requests.iter().find(|id| **id != requests[0]).unwrap().clone());
    let decide = |session: &str, id: &str, fields: &[(&str, &str)]| {
        let page = Request::new(server.addr, "GET", "/issuer/recognition").header("Cookie", session).send();
        let mut form = vec![("csrf", csrf(&page))];
        form.extend(fields.iter().map(|(name, value)| (*name, (*value).to_owned())));
        let form: Vec<(&str, &str)> = form.iter().map(|(name, value)| (*name, value.as_str())).collect();
        Request::new(server.addr, "POST", &format!("/issuer/recognition/{id}")).header("Cookie", session).form(&form)
    };
    let accept = [("action", "accept"), ("proposal", "alliance-data-2026/roccalba-statistics")];
    assert_eq!(decide(&valdeoliva, &first, &accept).status, 404, "another institution's request");
    let accepted = decide(&officer, &first, &accept);
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let twice = decide(&officer, &first, &accept);
    assert_eq!(twice.status, 409, "answered once: {}", twice.body);
    let too_many = decide(&officer, &second, &[("action", "amend"), ("ects", "5"), ("reason", "part")]);
    assert_eq!(too_many.status, 422, "{}", too_many.body);
    let amended =
        decide(&officer, &second, &[("action", "amend"), ("ects", "2,5"), ("reason", "Only the first half counts")]);
    assert_eq!(amended.status, 303, "{}", amended.body);
    let jarvilaakso = sign_in(&server, "officer@jarvilaakso.example");
    let theirs = Request::new(server.addr, "GET", "/issuer/recognition").header("Cookie", &jarvilaakso).send();
    let third = from_id(&theirs, "pending");
    let third = &third[third.find("id=\"request-").unwrap() + "id=\"request-".len()..];
    let third = third[..third.find('"').unwrap()].to_owned();
    let unexplained = decide(&jarvilaakso, &third, &[("action", "reject"), ("reason", " ")]);
    assert_eq!(unexplained.status, 422, "a rejection says why: {}", unexplained.body);
    let rejected = decide(&jarvilaakso, &third, &[("action", "reject"), ("reason", "Not part of our degrees")]);
    assert_eq!(rejected.status, 303, "{}", rejected.body);

    // The learner sees each answer, in their language, and the decision credential verifies.
    let space = Request::new(server.addr, "GET", "/learner?lang=es").header("Cookie", &learner).send();
    let answers = from_id(&space, "recognition");
    assert_eq!(answers.matches("state good\">Reconocida").count(), 2, "{answers}");
    assert!(answers.contains("No reconocida") && answers.contains("Not part of our degrees"), "{answers}");
    assert!(answers.contains("2.5 ECTS de la asignatura STAT-1 Estadística básica"), "{answers}");
    assert!(answers.contains("Reconocida en parte: Only the first half counts"), "{answers}");
    let download = Request::new(server.addr, "GET", &format!("/learner/recognition/{first}/decision.json"))
        .header("Cookie", &learner)
        .send();
    assert_eq!(download.status, 200, "{}", download.body);
    let decision: Value = download.json();
    assert_eq!(decision["credentialSubject"]["learner"], "José Martínez Núñez");
    assert_eq!(decision["credentialSubject"]["granted"], "the course STAT-1 Basic statistics (5 ECTS)");
    let path = env.write("decision.json", &download.body);
    let verified = verify_file(&env, &server, &path);
    assert_eq!(verified["verdict"], "valid", "{verified:#}");
    let stranger = learner_sign_in(&server, "aino.virtanen@learners.example");
    let theirs = Request::new(server.addr, "GET", &format!("/learner/recognition/{first}/decision.json"))
        .header("Cookie", &stranger)
        .send();
    assert_eq!(theirs.status, 404, "another learner's decision");
    let rejected_file = Request::new(server.addr, "GET", &format!("/learner/recognition/{third}/decision.json"))
        .header("Cookie", &learner)
        .send();
    assert_eq!(rejected_file.status, 404, "a rejection has no decision credential");

    // Roccalba's pathway counts the credits it recognised, once; Valdeoliva's is complete, and
    // its stacked credential is issued once, verifies and names its parts.
    let space = Request::new(server.addr, "GET", "/learner?lang=en").header("Cookie", &learner).send();
    let roccalba = from_id(&space, "pathway-roccalba-data-sustainability");
    assert!(roccalba.contains("7.5 of 15 ECTS") && roccalba.contains("(recognised)"), "{roccalba}");
    assert!(roccalba.contains("Circular Economy of Materials") && roccalba.contains("teaches a skill"), "{roccalba}");
    assert!(!roccalba[..roccalba.find("</article>").unwrap()].contains("Receive the certificate"), "{roccalba}");
    let claim = |csrf: &str| {
        Request::new(server.addr, "POST", "/learner/pathways/valdeoliva-public-management/issue")
            .header("Cookie", &learner)
            .form(&[("csrf", csrf)])
    };
    assert_eq!(claim("forged").status, 403);
    let incomplete = Request::new(server.addr, "POST", "/learner/pathways/roccalba-data-sustainability/issue?lang=en")
        .header("Cookie", &learner)
        .form(&[("csrf", &csrf(&space))]);
    assert_eq!(incomplete.status, 422, "{}", incomplete.body);
    assert!(incomplete.body.contains("is not complete yet: it still needs 7.5 more ECTS"), "{}", incomplete.body);
    assert_eq!(claim(&csrf(&space)).status, 303);
    let space = Request::new(server.addr, "GET", "/learner?lang=es").header("Cookie", &learner).send();
    let valdeoliva = from_id(&space, "pathway-valdeoliva-public-management");
    assert!(
        valdeoliva.contains("Certificado en gestión pública sostenible") && valdeoliva.contains("Emitido el"),
        "{valdeoliva}"
    );
    let link = &valdeoliva[valdeoliva.find("/learner/stacked/").unwrap()..];
    let link = &link[..link.find('"').unwrap()];
    assert_eq!(claim(&csrf(&space)).status, 303, "asking again gives the one issued");
    let stacked = Request::new(server.addr, "GET", link).header("Cookie", &learner).send();
    assert_eq!(stacked.status, 200, "{}", stacked.body);
    let document = stacked.json();
    assert_eq!(document["credentialSubject"]["hasPart"].as_array().unwrap().len(), 2, "{document:#}");
    let path = env.write("stacked.json", &stacked.body);
    let verified = verify_file(&env, &server, &path);
    assert_eq!(verified["verdict"], "valid", "{verified:#}");
    let theirs = Request::new(server.addr, "GET", link).header("Cookie", &stranger).send();
    assert_eq!(theirs.status, 404, "another learner's stacked credential");
    let sealed = Request::new(server.addr, "GET", &link.replace("credential.json", "credential.edc.json"))
        .header("Cookie", &learner)
        .send();
    assert_eq!(sealed.status, 200, "Valdeoliva seals: {}", sealed.body);
    let path = env.write("stacked.edc.json", &sealed.body);
    let verified = verify_file(&env, &server, &path);
    assert_eq!(verified["verdict"], "valid", "{verified:#}");
    server.stop();
}

/// A learner shares two credentials behind one link that does not expire: its page verifies
/// each and says what it is to link previews; the learner space lists the link with LinkedIn's
/// links; a withdrawn or expired link shows nothing, and a revoked credential is not newly
/// shared.
#[test]
fn a_learner_shares_a_selection_and_withdraws_it() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let learner = learner_sign_in(&server, "jose.martinez@learners.example");
    let space = || Request::new(server.addr, "GET", "/learner?lang=en").header("Cookie", &learner).send();
    let page = space();
    let ids = credential_ids(&page);
    assert_eq!(ids.len(), 2, "the demo learner's two credentials");
    let token = csrf(&page);
    let share = |fields: &[(&str, &str)]| {
        Request::new(server.addr, "POST", "/learner/share?lang=en").header("Cookie", &learner).form(fields)
    };
    let nothing = share(&[("csrf", &token), ("days", "30")]);
    assert_eq!(nothing.status, 422, "{}", nothing.body);
    assert!(nothing.body.contains("choose 1 to 20 credentials to share"), "{}", nothing.body);
    let shared = share(&[("csrf", &token), ("days", "never"), ("credential", &ids[0]), ("credential", &ids[1])]);
    assert_eq!(shared.status, 303, "{}", shared.body);
    let link = shared.header("location").unwrap().trim_start_matches("/learner#link-").to_owned();

    let public = Request::new(server.addr, "GET", &format!("/c/{link}?lang=en")).send();
    assert_eq!(public.status, 200, "{}", public.body);
    assert_eq!(public.body.matches("<h3 class=\"verdict\">Valid</h3>").count(), 2, "{}", public.body);
    assert!(public.body.contains("property=\"og:title\"") && public.body.contains("José Martínez Núñez"));
    assert!(public.body.contains(&format!("property=\"og:image\" content=\"http://{}/catalogue/", server.addr)));
    let first = Request::new(server.addr, "GET", &format!("/c/{link}/1/credential.json")).send();
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["id"], format!("urn:uuid:{}", ids[0]));
    assert_eq!(Request::new(server.addr, "GET", &format!("/c/{link}/3/credential.json")).send().status, 404);

    let page = space();
    let listed = from_id(&page, "links");
    assert!(listed.contains(&format!("id=\"link-{link}\"")) && listed.contains("no expiry"), "{listed}");
    assert!(listed.contains("https://www.linkedin.com/sharing/share-offsite/?url="), "{listed}");
    // A link to one credential can be added to a LinkedIn profile, filled in.
    let one = Request::new(server.addr, "POST", &format!("/learner/credentials/{}/share", ids[0]))
        .header("Cookie", &learner)
        .form(&[("csrf", &token), ("days", "30")]);
    assert_eq!(one.status, 303, "{}", one.body);
    let single = one.header("location").unwrap().trim_start_matches("/learner#link-").to_owned();
    let page = space();
    let added = from_id(&page, &format!("link-{single}"));
    assert!(
        added.contains("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&#38;name=")
            && added.contains("&#38;organizationName=University%20of%20Valdeoliva")
            && added.contains(&format!("&#38;certId={}", ids[0])),
        "{added}"
    );

    // Verifying by the address of a link to several opens the link's page.
    let url = {
        let at = page.body.find(&format!("/c/{link}\"")).unwrap();
        let start = page.body[..at].rfind("href=\"").unwrap() + "href=\"".len();
        page.body[start..at + format!("/c/{link}").len()].to_owned()
    };
    let verify = Request::new(server.addr, "GET", &format!("/verify?lang=es&url={}", encode(&url))).send();
    assert_eq!(verify.status, 303, "the link's page verifies each: {}", verify.body);
    assert_eq!(verify.header("location"), Some(format!("/c/{link}?lang=es").as_str()));

    // The selection as a presentation for the learner to sign: unsigned, it proves no holder.
    let presentation = Request::new(server.addr, "GET", &format!("/learner/links/{link}/presentation.json"))
        .header("Cookie", &learner)
        .send();
    assert_eq!(presentation.status, 200, "{}", presentation.body);
    let document = presentation.json();
    assert_eq!(document["verifiableCredential"].as_array().unwrap().len(), 2);
    assert!(document["holder"].as_str().unwrap().starts_with("did:key:"), "the demo learner's DID: {document:#}");
    let verified = verify_file(&env, &server, &env.write("presentation.json", &presentation.body));
    assert_eq!(verified["verdict"], "indeterminate", "{verified:#}");
    assert_eq!(
        (verified["credentials"][0]["verdict"].as_str(), verified["credentials"][1]["verdict"].as_str()),
        (Some("valid"), Some("valid")),
        "{verified:#}"
    );

    // Withdrawn, then gone; once.
    let withdraw = || {
        Request::new(server.addr, "POST", &format!("/learner/links/{link}/withdraw"))
            .header("Cookie", &learner)
            .form(&[("csrf", &token)])
    };
    assert_eq!(withdraw().status, 303);
    assert_eq!(Request::new(server.addr, "GET", &format!("/c/{link}")).send().status, 404);
    assert_eq!(withdraw().status, 409, "withdrawn once");
    assert!(from_id(&space(), &format!("link-{link}")).contains("withdrawn on"));
    // Expired, gone.
    env.tamper(&format!("UPDATE share_links SET expires_at = 1 WHERE id = '{single}'"));
    assert_eq!(Request::new(server.addr, "GET", &format!("/c/{single}")).send().status, 404);
    // A revoked credential is not newly shared.
    env.ok(&["revoke", &ids[0], "--reason", "awarded by mistake"]);
    let refused = share(&[("csrf", &token), ("days", "7"), ("credential", &ids[0])]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("was revoked: it cannot be newly shared"), "{}", refused.body);
    server.stop();
}

/// A specification's badge image is checked when set and published at the address its
/// credentials name; a learner's badge image with the credential baked in (PNG and SVG)
/// verifies on the command line, the verify page and the API, and an image with no credential,
/// or a broken one, says so.
#[test]
fn a_baked_badge_verifies_and_a_bare_or_broken_image_is_refused() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let set = |content_type: &str, body: &[u8]| {
        Request::new(server.addr, "PUT", &format!("/api/v1/specs/{SPEC_A}/image"))
            .token(&token)
            .send_body(content_type, body)
    };
    let gif = set("image/gif", b"GIF89a\x01\x00\x01\x00");
    assert_eq!(gif.status, 422, "{}", gif.body);
    assert!(gif.body.contains("neither a PNG nor an SVG"), "{}", gif.body);
    let script = set("image/svg+xml", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
    assert_eq!(script.status, 422, "{}", script.body);
    assert!(script.body.contains("active content"), "{}", script.body);
    let mut large = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><desc>".to_vec();
    large.extend(std::iter::repeat_n(b'x', 600 * 1024));
    large.extend_from_slice(b"</desc></svg>");
    assert!(set("image/svg+xml", &large).body.contains("larger than 512 KiB"));
    let own = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><title>Valdeoliva data badge</title><circle cx=\"5\" cy=\"5\" r=\"5\" fill=\"#0a5\"/></svg>";
    let accepted = set("image/svg+xml", own.as_bytes());
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let url = accepted.json()["url"].as_str().unwrap().to_owned();
    let published = Request::new(server.addr, "GET", &format!("/catalogue/{SPEC_A}/badge")).send();
    assert_eq!((published.status, published.header("content-type")), (200, Some("image/svg+xml")));
    assert!(published.header("content-security-policy").unwrap().contains("sandbox"));
    assert!(published.body.contains("Valdeoliva data badge"), "{}", published.body);

    // The demo learner's credential of that specification, baked.
    let learner = learner_sign_in(&server, "jose.martinez@learners.example");
    let space = Request::new(server.addr, "GET", "/learner?lang=en").header("Cookie", &learner).send();
    let id = credential_ids(&space).remove(0);
    let document = Request::new(server.addr, "GET", &format!("/learner/credentials/{id}/credential.json"))
        .header("Cookie", &learner)
        .send()
        .json();
    assert_eq!(document["credentialSubject"]["achievement"]["image"]["id"], url.as_str());
    let mut files = Vec::new();
    for (file, content_type) in [("badge.png", "image/png"), ("badge.svg", "image/svg+xml")] {
        let baked = Request::new(server.addr, "GET", &format!("/learner/credentials/{id}/{file}"))
            .header("Cookie", &learner)
            .send();
        assert_eq!((baked.status, baked.header("content-type")), (200, Some(content_type)), "{}", baked.body);
        let path = env.file(file);
        std::fs::write(&path, &baked.bytes).unwrap();
        let verified = verify_file(&env, &server, &path.display().to_string());
        assert_eq!(verified["verdict"], "valid", "{file}: {verified:#}");
        assert_eq!(verified["credential"], document["id"], "{file}");
        files.push(baked.bytes);
    }
    assert!(String::from_utf8_lossy(&files[1]).contains("Valdeoliva data badge"), "the specification's own image");

    // The verify page and the API take the baked PNG too.
    let page = verify_page(&server, "en", "", Some(&files[0]));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"verdict\">Valid<"), "{}", page.body);
    let api = Request::new(server.addr, "POST", "/api/v1/credentials/verify").send_body("image/png", &files[0]);
    assert_eq!(api.json()["verdict"], "valid", "{}", api.body);

    // An image that carries nothing, and a broken one, say so.
    let bare = env.file("bare.svg");
    std::fs::write(&bare, published.body.as_bytes()).unwrap();
    let said = env.command(&["verify", &bare.display().to_string(), "--offline"]).output().unwrap();
    let said = String::from_utf8_lossy(&said.stdout).into_owned() + &String::from_utf8_lossy(&said.stderr);
    assert!(said.contains("carries no Open Badges credential"), "{said}");
    let broken = env.file("broken.png");
    std::fs::write(&broken, &files[0][..files[0].len() - 30]).unwrap();
    let said = env.command(&["verify", &broken.display().to_string(), "--offline"]).output().unwrap();
    assert_ne!(said.status.code(), Some(0));
    let said = String::from_utf8_lossy(&said.stdout).into_owned() + &String::from_utf8_lossy(&said.stderr);
    assert!(said.contains("the PNG image is broken"), "{said}");
    let api = Request::new(server.addr, "POST", "/api/v1/credentials/verify")
        .send_body("image/svg+xml", published.body.as_bytes());
    assert_eq!(api.status, 422, "{}", api.body);
    assert!(api.body.contains("carries no Open Badges credential"), "{}", api.body);
    server.stop();
}

/// A learner downloads their credential's supplement in either language: it says what the
/// credential certifies, its QR code's link opens the credential's page, and the file itself
/// verifies; a supplement whose credential was changed does not.
#[test]
fn a_supplement_carries_its_credential_and_a_link_to_its_page() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let learner = learner_sign_in(&server, "jose.martinez@learners.example");
    let space = Request::new(server.addr, "GET", "/learner?lang=en").header("Cookie", &learner).send();
    let id = credential_ids(&space).remove(0);
    let get = |lang: &str| {
        Request::new(server.addr, "GET", &format!("/learner/credentials/{id}/supplement.html?lang={lang}"))
            .header("Cookie", &learner)
            .send()
    };
    let english = get("en");
    assert_eq!(english.status, 200, "{}", english.body);
    assert!(english.body.contains("Micro-credential supplement") && english.body.contains("5 ECTS · 125 hours"));
    assert!(english.body.contains("5 — comprehensive, specialised knowledge"), "the EQF level in words");
    let spanish = get("es");
    assert!(spanish.body.contains("Suplemento de la microcredencial") && spanish.body.contains("José Martínez Núñez"));
    assert!(spanish.body.contains("<svg"), "a QR code");
    let link = {
        let at = spanish.body.find(&format!("http://{}/c/", server.addr)).unwrap();
        let rest = &spanish.body[at..];
        rest[..rest.find('<').unwrap()].trim().to_owned()
    };
    let page = Request::new(server.addr, "GET", link.trim_start_matches(&format!("http://{}", server.addr))).send();
    assert_eq!(page.status, 200, "the QR code's link opens the credential's page: {link}");
    assert_eq!(get("en").body.matches(&link).count(), 1, "the same link each time");

    let verify = |name: &str, html: &str| verify_file(&env, &server, &env.write(name, html));
    assert_eq!(verify("supplement.html", &spanish.body)["verdict"], "valid");

    // The PDF, the same in a file of its own: the API verifies it.
    let pdf = Request::new(server.addr, "GET", &format!("/learner/credentials/{id}/supplement.pdf?lang=es"))
        .header("Cookie", &learner)
        .send();
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let disposition = pdf.header("content-disposition").unwrap_or_default();
    assert!(disposition.contains(&format!("supplement-{id}.pdf")), "{disposition}");
    let api = Request::new(server.addr, "POST", "/api/v1/credentials/verify").send_body("application/pdf", &pdf.bytes);
    assert_eq!(api.json()["verdict"], "valid", "{}", api.body);
    let inside = spanish.body.find("application/vc+ld+json").unwrap();
    let changed = format!(
        "{}{}",
        &spanish.body[..inside],
        spanish.body[inside..].replacen("\"name\":\"", "\"name\":\"Forged ", 1)
    );
    assert_ne!(changed, spanish.body);
    let result = verify("changed.html", &changed);
    assert_eq!(result["verdict"], "invalid", "a changed credential inside: {result:#}");
    let proof = result["checks"].as_array().unwrap().iter().find(|check| check["id"] == "proof").unwrap();
    assert_eq!(proof["status"], "failed", "{result:#}");
    server.stop();
}

/// `POST /verify` in `lang`: `pasted` in the text box and, when given, `file` uploaded.
pub(crate) fn verify_page(server: &Server, lang: &str, pasted: &str, file: Option<&[u8]>) -> Answer {
    let boundary = "mc-verify-boundary";
    let mut form =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"credential\"\r\n\r\n{pasted}\r\n").into_bytes();
    if let Some(bytes) = file {
        form.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n\r\n")
                .as_bytes(),
        );
        form.extend_from_slice(bytes);
        form.extend_from_slice(b"\r\n");
    }
    form.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::new(server.addr, "POST", &format!("/verify?lang={lang}"))
        .send_body(&format!("multipart/form-data; boundary={boundary}"), &form)
}

/// The text of the element with this id.
fn element_text<'a>(page: &'a Answer, id: &str) -> &'a str {
    let rest = &from_id(page, id)[id.len() + 5..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    &rest[..rest.find('<').unwrap()]
}

/// The verification page says what the credential is (title, issuer, learner or that none is
/// named, award date in words, format) and the verdict's cause in a sentence; after a signature
/// that fails, the checks that rest on it are not reached; in English and in Spanish. What
/// cannot be verified stays on the form with a plain explanation.
#[test]
fn verification_says_what_it_verified_and_why() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let learner = learner_sign_in(&server, "jose.martinez@learners.example");
    let space = Request::new(server.addr, "GET", "/learner?lang=en").header("Cookie", &learner).send();
    let id = credential_ids(&space).remove(0);
    let credential = Request::new(server.addr, "GET", &format!("/learner/credentials/{id}/credential.json"))
        .header("Cookie", &learner)
        .send()
        .body;
    let signed: Value = serde_json::from_str(&credential).unwrap();
    let title = signed["credentialSubject"]["achievement"]["name"].as_str().unwrap();
    let issuer = signed["issuer"]["name"].as_str().unwrap();

    let valid = verify_page(&server, "en", &credential, None);
    assert_eq!(valid.status, 200, "{}", valid.body);
    assert_eq!(element_text(&valid, "verdict"), "Valid");
    assert_eq!(element_text(&valid, "about-title"), title);
    assert_eq!(element_text(&valid, "about-issuer"), issuer);
    assert_eq!(element_text(&valid, "about-learner"), "not named in the credential", "Open Badges hash the email");
    let awarded = element_text(&valid, "about-awarded");
    assert!(!awarded.contains('-') && awarded.split(' ').count() == 3, "a date in words: {awarded}");
    assert_eq!(element_text(&valid, "about-format"), "Open Badges 3.0");

    // An employer checks that the credential is the candidate's by their email address.
    let boundary = "mc-owner-boundary";
    let owner = |credential: &str, email: &str, lang: &str| {
        let form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"credential\"\r\n\r\n{credential}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n{email}\r\n--{boundary}--\r\n"
        );
        let page = Request::new(server.addr, "POST", &format!("/verify?lang={lang}"))
            .send_body(&format!("multipart/form-data; boundary={boundary}"), form.as_bytes());
        element_text(&page, "about-owner").to_owned()
    };
    let issued = env.ok(&[
        "issue",
        "--spec",
        "01936a3e-0000-7000-8000-000000000001",
        "--learner",
        "ana@learners.example",
        "--name",
        "Ana Pérez",
    ]);
    assert_eq!(owner(&issued, "Ana@Learners.example", "en"), "✓ issued to Ana@Learners.example");
    assert_eq!(owner(&issued, "someone@else.example", "en"), "✗ not issued to someone@else.example");
    assert_eq!(owner(&issued, "someone@else.example", "es"), "✗ no emitida a someone@else.example");
    // José's credentials name him by his DID: an email address cannot be checked against them.
    let said = owner(&credential, "jose.martinez@learners.example", "en");
    assert_eq!(said, "The credential does not name its learner in a way an email address can be checked against.");

    // Changed after signing: said so, and what rests on the signature is not reached.
    let changed = credential.replacen(title, &format!("{title} (honours)"), 1);
    for (lang, cause, not_reached) in [
        ("en", "It was changed after it was signed.", "Not reached"),
        ("es", "Se modificó después de firmarla.", "Sin comprobar"),
    ] {
        let page = verify_page(&server, lang, &changed, None);
        assert_eq!(element_text(&page, "cause"), cause, "{}", page.body);
        for check in ["validity", "status", "trust"] {
            let item: String = from_id_attr(&page, &format!("data-check=\"{check}\"")).chars().take(300).collect();
            assert!(item.contains(not_reached) && !item.contains('✓'), "{check}: {item}");
        }
    }

    // Revoked: by whom.
    env.ok(&["revoke", &id, "--reason", "awarded by mistake"]);
    let revoked = verify_page(&server, "en", &credential, None);
    assert_eq!(element_text(&revoked, "cause"), format!("Revoked by {issuer}."));
    let revoked = verify_page(&server, "es", &credential, None);
    assert_eq!(element_text(&revoked, "cause"), format!("Revocada por {issuer}."));

    // Nothing to verify, or a file that holds no credential: the form again, with the reason.
    let empty = verify_page(&server, "es", "  ", None);
    assert_eq!(empty.status, 422);
    assert_eq!(error_message(&empty), "Indique una credencial: péguela, elija un archivo o indique su dirección.");
    assert!(empty.body.contains("id=\"credential\""), "the form: {}", empty.body);
    let binary = verify_page(&server, "en", "", Some(b"\x00\x01\x02 not a credential \xff"));
    assert_eq!(binary.status, 422);
    assert!(error_message(&binary).starts_with("This file is neither a credential"), "{}", binary.body);
    let pdf = verify_page(&server, "en", "", Some(b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n%%EOF\n"));
    assert_eq!(error_message(&pdf), "This document carries no credential inside it.");
    server.stop();
}

/// The part of a page from the first element with this attribute on.
fn from_id_attr<'a>(page: &'a Answer, attribute: &str) -> &'a str {
    let start = page.body.find(attribute).unwrap_or_else(|| panic!("no {attribute}: {}", page.body));
    &page.body[start..]
}

/// A draft that does not read as a specification is kept for its institution only: another
/// cannot see or overwrite it; saved through either editor, or discarded, it goes.
#[test]
fn drafts_belong_to_their_institution_and_go_once_saved_or_discarded() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let origin = format!("http://{}", server.addr);
    let ours = sign_in(&server, "staff@valdeoliva.example");
    let token = csrf(&Request::new(server.addr, "GET", "/issuer/specs/new").header("Cookie", &ours).send());
    let post = |session: &str, token: &str, fields: &[(&str, &str)]| {
        let mut all = vec![("csrf", token), ("outcomes", "1")];
        all.extend_from_slice(fields);
        Request::new(server.addr, "POST", "/issuer/specs/form")
            .header("Cookie", session)
            .header("Origin", &origin)
            .form(&all)
    };
    let id = "01936a3e-0000-7000-8000-0000000000d1";
    let saved = post(
        &ours,
        &token,
        &[("id", id), ("awarding_bodies", "valdeoliva"), ("title.en", "Half written"), ("action", "save")],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(
        saved.body.contains("Saved as an unfinished draft") && saved.body.contains("Learning outcome 1, text: missing"),
        "{}",
        saved.body
    );
    let space = Request::new(server.addr, "GET", "/issuer?lang=en").header("Cookie", &ours).send();
    assert!(space.body.contains(&format!("href=\"/issuer/specs/{id}/edit\">Half written</a>")), "{}", space.body);

    // Another institution neither sees it nor overwrites it.
    let theirs = sign_in(&server, "staff@roccalba.example");
    let their_token = csrf(&Request::new(server.addr, "GET", "/issuer").header("Cookie", &theirs).send());
    let peek = Request::new(server.addr, "GET", &format!("/issuer/specs/{id}/edit")).header("Cookie", &theirs).send();
    assert_eq!(peek.status, 404, "{}", peek.body);
    let hijack = post(
        &theirs,
        &their_token,
        &[("id", id), ("awarding_bodies", "roccalba"), ("title.en", "Ours now"), ("action", "save")],
    );
    assert!(hijack.body.contains("another institution"), "{}", hijack.body);
    let kept = Request::new(server.addr, "GET", &format!("/issuer/specs/{id}/edit")).header("Cookie", &ours).send();
    assert!(kept.body.contains("value=\"Half written\""), "{}", kept.body);

    // Completed through the document editor, the draft goes.
    let document = format!(
        r#"{{"id": "{id}", "awarding_bodies": ["valdeoliva"], "languages": ["en"], "title": {{"en": "Whole"}},
        "learning_outcomes": [{{"text": {{"en": "Design a guided visit"}}}}], "workload": {{"ects": 4}},
        "assessment": {{"kind": "summative", "methods": ["project"]}}, "participation": "onsite",
        "quality_assurance": {{"internal": true}}}}"#
    );
    let whole = Request::new(server.addr, "POST", "/issuer/specs")
        .header("Cookie", &ours)
        .header("Origin", &origin)
        .form(&[("csrf", token.as_str()), ("id", ""), ("document", &document), ("action", "save")]);
    assert_eq!(whole.status, 303, "{}", whole.body);
    let space = Request::new(server.addr, "GET", "/issuer?lang=en").header("Cookie", &ours).send();
    assert!(!space.body.contains("id=\"drafts\""), "{}", space.body);

    // Another draft, discarded.
    let other = "01936a3e-0000-7000-8000-0000000000d2";
    post(
        &ours,
        &token,
        &[("id", other), ("awarding_bodies", "valdeoliva"), ("title.en", "Never mind"), ("action", "save")],
    );
    let discarded = post(&ours, &token, &[("id", other), ("action", "discard-draft")]);
    assert_eq!((discarded.status, discarded.header("location")), (303, Some("/issuer")));
    let gone = Request::new(server.addr, "GET", &format!("/issuer/specs/{other}/edit")).header("Cookie", &ours).send();
    assert_eq!(gone.status, 404, "{}", gone.body);

    // A form of absurdly many fields is refused before it is read.
    let mut many: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
    many.extend(std::iter::repeat_n(("x", "y"), 20_001));
    let refused = Request::new(server.addr, "POST", "/issuer/specs/form")
        .header("Cookie", &ours)
        .header("Origin", &origin)
        .form(&many);
    assert_eq!(refused.status, 413, "{}", refused.body);
    server.stop();
}

//! API tokens, staff accounts, sessions, sign-in links, share links, remembered idempotent
//! answers, and wallet offers with their nonces.

use mc_store::{ApiTokenRecord, SessionRecord, ShareLinkRecord, StaffRecord, Store, StoredResponse, WalletOfferRecord};

use crate::fixtures::{assert_conflict, assert_missing_reference, credential, learner_id, setup};

fn token(id: &str, institution: Option<&str>, role: &str, created_at: &str) -> ApiTokenRecord {
    ApiTokenRecord {
        id: id.into(),
        institution_id: institution.map(str::to_owned),
        role: role.into(),
        label: format!("token {id}"),
        secret_hash: format!("hash-{id}"),
        created_at: created_at.into(),
        revoked_at: None,
    }
}

fn staff(id: &str, institution: &str, email: &str) -> StaffRecord {
    StaffRecord {
        id: id.into(),
        institution_id: Some(institution.into()),
        email: email.into(),
        name: format!("Staff {id}"),
        role: "issuer".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
    }
}

fn session(hash: &str, expires_at: i64) -> SessionRecord {
    SessionRecord {
        secret_hash: hash.into(),
        kind: "staff".into(),
        subject_id: "s1".into(),
        csrf: format!("csrf-{hash}"),
        expires_at,
    }
}

pub(crate) async fn tokens_are_listed_revoked_and_unique(store: &Store) {
    setup(store).await;
    let later = token("t-later", Some("uca"), "admin", "2026-02-01T00:00:00Z");
    let earlier = token("t-earlier", Some("uca"), "viewer", "2026-01-01T00:00:00Z");
    let revoked = ApiTokenRecord {
        revoked_at: Some("2026-01-15T00:00:00Z".into()),
        ..token("t-revoked", Some("uca"), "issuer", "2026-01-10T00:00:00Z")
    };
    let network = token("t-net", None, "network-admin", "2026-01-01T00:00:00Z");
    for record in [&later, &earlier, &revoked, &network] {
        store.db().await.unwrap().insert_token(record).await.unwrap();
    }
    // Oldest first, revoked ones too.
    let listed = store.db().await.unwrap().tokens("uca").await.unwrap();
    assert_eq!(listed, vec![earlier.clone(), revoked.clone(), later.clone()]);
    assert_eq!(store.db().await.unwrap().tokens("unito").await.unwrap(), vec![]);
    assert_eq!(store.db().await.unwrap().token_by_hash("hash-t-revoked").await.unwrap(), Some(revoked.clone()));
    assert_eq!(store.db().await.unwrap().token_by_hash("hash-none").await.unwrap(), None);

    // Revoking sets the time once; revoking again keeps the first time.
    let now_revoked = ApiTokenRecord { revoked_at: Some("2026-03-01T00:00:00Z".into()), ..later.clone() };
    let result = store.db().await.unwrap().revoke_token("t-later", "2026-03-01T00:00:00Z").await.unwrap();
    assert_eq!(result, Some(now_revoked.clone()));
    let result = store.db().await.unwrap().revoke_token("t-later", "2026-04-01T00:00:00Z").await.unwrap();
    assert_eq!(result, Some(now_revoked.clone()));
    assert_eq!(store.db().await.unwrap().revoke_token("t-none", "2026-04-01T00:00:00Z").await.unwrap(), None);
    assert_eq!(store.db().await.unwrap().token_by_hash("hash-t-later").await.unwrap(), Some(now_revoked));

    // A taken id or secret, and an institution that is not stored.
    let taken_id =
        ApiTokenRecord { secret_hash: "hash-other".into(), ..token("t-earlier", Some("unito"), "admin", "t") };
    assert_conflict(store.db().await.unwrap().insert_token(&taken_id).await, "an API token with this id", Some("id"));
    let taken_secret =
        ApiTokenRecord { secret_hash: "hash-t-net".into(), ..token("t-new", Some("unito"), "admin", "t") };
    let result = store.db().await.unwrap().insert_token(&taken_secret).await;
    assert_conflict(result, "an API token with this id", Some("secret_hash"));
    let orphan = token("t-orphan", Some("nowhere"), "admin", "t");
    assert_missing_reference(store.db().await.unwrap().insert_token(&orphan).await, "an API token with this id");
    assert_eq!(store.db().await.unwrap().tokens("unito").await.unwrap(), vec![]);
    assert_eq!(store.db().await.unwrap().network_tokens().await.unwrap(), vec![network]);
}

pub(crate) async fn staff_round_trip_and_unique_emails(store: &Store) {
    setup(store).await;
    let ana = staff("s1", "uca", "ana@uca.example");
    store.db().await.unwrap().insert_staff(&ana).await.unwrap();
    assert_eq!(store.db().await.unwrap().staff("s1").await.unwrap(), Some(ana.clone()));
    assert_eq!(store.db().await.unwrap().staff_by_email("ana@uca.example").await.unwrap(), Some(ana.clone()));
    assert_eq!(store.db().await.unwrap().staff("s2").await.unwrap(), None);
    assert_eq!(store.db().await.unwrap().staff_by_email("bea@uca.example").await.unwrap(), None);

    const TAKEN: &str = "a staff member with this email address";
    let same_email = staff("s2", "unito", "ana@uca.example");
    assert_conflict(store.db().await.unwrap().insert_staff(&same_email).await, TAKEN, Some("email"));
    let same_id = staff("s1", "unito", "bea@unito.example");
    assert_conflict(store.db().await.unwrap().insert_staff(&same_id).await, TAKEN, Some("id"));
    let orphan = staff("s3", "nowhere", "cai@nowhere.example");
    assert_missing_reference(store.db().await.unwrap().insert_staff(&orphan).await, TAKEN);
    assert_eq!(store.db().await.unwrap().staff("s1").await.unwrap(), Some(ana));
    assert_eq!(store.db().await.unwrap().staff("s2").await.unwrap(), None);
    assert_eq!(store.db().await.unwrap().staff("s3").await.unwrap(), None);

    // The network's administrator is staff of no institution, and only they are.
    let registry =
        StaffRecord { institution_id: None, role: "network-admin".into(), ..staff("s4", "", "reg@net.example") };
    store.db().await.unwrap().insert_staff(&registry).await.unwrap();
    assert_eq!(store.db().await.unwrap().staff_by_email("reg@net.example").await.unwrap(), Some(registry));
    let nobody = StaffRecord { institution_id: None, ..staff("s5", "", "x@net.example") };
    assert!(store.db().await.unwrap().insert_staff(&nobody).await.is_err(), "an institution's role needs one");
    let member = StaffRecord { role: "network-admin".into(), ..staff("s6", "uca", "y@uca.example") };
    assert!(store.db().await.unwrap().insert_staff(&member).await.is_err(), "the network's role has none");
    assert_eq!(store.db().await.unwrap().staff("s5").await.unwrap(), None);
    assert_eq!(store.db().await.unwrap().staff("s6").await.unwrap(), None);
}

pub(crate) async fn sessions_end_when_they_expire(store: &Store) {
    let live = SessionRecord { kind: "learner".into(), subject_id: learner_id(1), ..session("live", 2_000) };
    store.db().await.unwrap().insert_session(&live).await.unwrap();
    store.db().await.unwrap().insert_session(&session("short", 1_000)).await.unwrap();
    store.db().await.unwrap().insert_session(&session("other", 2_000)).await.unwrap();
    let found =
        |hash: &'static str, now: i64| async move { store.db().await.unwrap().session(hash, now).await.unwrap() };

    assert_eq!(found("live", 1_999).await, Some(live.clone()));
    assert_eq!(found("short", 999).await, Some(session("short", 1_000)));
    // Over at its expiry time.
    assert_eq!(found("short", 1_000).await, None);
    assert_eq!(found("none", 0).await, None);
    assert_conflict(
        store.db().await.unwrap().insert_session(&session("live", 3_000)).await,
        "a session with this secret",
        Some("secret_hash"),
    );

    // Ending one session also removes every session over by then, and no other.
    store.db().await.unwrap().delete_session("other", 1_500).await.unwrap();
    assert_eq!(found("other", 1_500).await, None);
    assert_eq!(found("short", 0).await, None, "an expired session is deleted");
    assert_eq!(found("live", 1_500).await, Some(live));
    store.db().await.unwrap().delete_session("live", 0).await.unwrap();
    assert_eq!(found("live", 0).await, None);
}

pub(crate) async fn sign_in_links_work_once_before_they_expire(store: &Store) {
    setup(store).await;
    store.db().await.unwrap().insert_sign_in_link("once", &learner_id(1), 1_000).await.unwrap();
    store.db().await.unwrap().insert_sign_in_link("late", &learner_id(2), 1_000).await.unwrap();
    store.db().await.unwrap().insert_sign_in_link("edge", &learner_id(2), 1_000).await.unwrap();
    let used = |hash: &'static str, now: i64| async move {
        store.db().await.unwrap().use_sign_in_link(hash, now).await.unwrap()
    };

    assert_eq!(used("once", 999).await, Some(learner_id(1)));
    assert_eq!(used("once", 999).await, None, "a link works once");
    assert_eq!(used("late", 1_001).await, None, "an expired link does not work");
    assert_eq!(used("late", 999).await, Some(learner_id(2)), "the expired attempt did not use it");
    assert_eq!(used("edge", 1_000).await, None, "a link is over at its expiry time");
    assert_eq!(used("none", 0).await, None);

    let result = store.db().await.unwrap().insert_sign_in_link("once", &learner_id(2), 5_000).await;
    assert_conflict(result, "a sign-in link with this secret", Some("secret_hash"));
    let result = store.db().await.unwrap().insert_sign_in_link("orphan", &learner_id(9), 5_000).await;
    assert_missing_reference(result, "a sign-in link with this secret");
    assert_eq!(used("orphan", 0).await, None);
}

pub(crate) async fn share_links_round_trip(store: &Store) {
    setup(store).await;
    store.db().await.unwrap().insert_credential(&credential("c1", "uca", 1, 1, "t")).await.unwrap();
    store.db().await.unwrap().insert_credential(&credential("c2", "uca", 1, 2, "t")).await.unwrap();
    let link = |id: &str, credential: &str, created_at: &str, expires_at: i64| ShareLinkRecord {
        id: id.into(),
        credentials: vec![credential.into()],
        created_at: created_at.into(),
        expires_at,
        withdrawn_at: None,
    };
    let newer = link("share-b", "c1", "2026-02-01T00:00:00Z", 9_000_000_000);
    let older = link("share-c", "c1", "2026-01-01T00:00:00Z", 1);
    let theirs = link("share-a", "c2", "2026-01-01T00:00:00Z", 2_000_000_000);
    for record in [&newer, &older, &theirs] {
        store.db().await.unwrap().insert_share_link(record).await.unwrap();
    }
    // Read back expired or not; a credential's links oldest first.
    assert_eq!(store.db().await.unwrap().share_link("share-c").await.unwrap(), Some(older.clone()));
    assert_eq!(store.db().await.unwrap().share_link("share-z").await.unwrap(), None);
    assert_eq!(store.db().await.unwrap().share_links_of("c1").await.unwrap(), vec![older, newer.clone()]);
    assert_eq!(store.db().await.unwrap().share_links_of("c3").await.unwrap(), vec![]);

    const TAKEN: &str = "a share link with this id";
    let again = link("share-b", "c2", "2026-03-01T00:00:00Z", 5);
    assert_conflict(store.db().await.unwrap().insert_share_link(&again).await, TAKEN, Some("id"));
    let orphan = link("share-d", "c9", "2026-03-01T00:00:00Z", 5);
    assert_missing_reference(store.db().await.unwrap().insert_share_link(&orphan).await, TAKEN);
    assert_eq!(store.db().await.unwrap().share_link("share-b").await.unwrap(), Some(newer.clone()));
    assert_eq!(store.db().await.unwrap().share_links_of("c2").await.unwrap(), vec![theirs.clone()]);

    // A selection shows its credentials in order, and is found from each of them; withdrawn once.
    let selection = ShareLinkRecord {
        id: "share-e".into(),
        credentials: vec!["c2".into(), "c1".into()],
        created_at: "2026-04-01T00:00:00Z".into(),
        expires_at: 9_000_000_000,
        withdrawn_at: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.db().insert_share_link(&selection).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.db().await.unwrap().share_link("share-e").await.unwrap(), Some(selection.clone()));
    let of_c1: Vec<String> =
        store.db().await.unwrap().share_links_of("c1").await.unwrap().into_iter().map(|link| link.id).collect();
    assert_eq!(of_c1, ["share-c", "share-b", "share-e"]);
    let of_learner = |n| async move {
        let links = store.db().await.unwrap().share_links_of_learner(&learner_id(n)).await.unwrap();
        links.into_iter().map(|link| link.id).collect::<Vec<_>>()
    };
    assert_eq!(of_learner(1).await, ["share-c", "share-b"], "the links whose first credential is the learner's");
    assert_eq!(of_learner(2).await, ["share-a", "share-e"]);
    assert!(store.db().await.unwrap().withdraw_share_link("share-e", "2026-04-02T00:00:00Z").await.unwrap());
    assert!(!store.db().await.unwrap().withdraw_share_link("share-e", "2026-04-03T00:00:00Z").await.unwrap(), "once");
    let withdrawn = store.db().await.unwrap().share_link("share-e").await.unwrap().unwrap();
    assert_eq!(withdrawn.withdrawn_at.as_deref(), Some("2026-04-02T00:00:00Z"));
    // A selection naming a credential that is not stored is refused whole.
    let broken = ShareLinkRecord { id: "share-f".into(), credentials: vec!["c1".into(), "c9".into()], ..selection };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.db().insert_share_link(&broken).await.is_err());
    tx.rollback().await.unwrap();
    assert_eq!(store.db().await.unwrap().share_link("share-f").await.unwrap(), None);
}

pub(crate) async fn idempotent_answers_are_remembered_once(store: &Store) {
    setup(store).await;
    let answer =
        |hash: &str, status: u16, body: &str| StoredResponse { request_hash: hash.into(), status, body: body.into() };
    let first = answer("req-1", 201, r#"{"id":"c1","name":"Ñandú"}"#);
    let db = || async { store.db().await.unwrap() };
    assert_eq!(db().await.stored_response("uca", "k1").await.unwrap(), None);
    assert!(db().await.store_response("uca", "k1", &first, "2026-01-01T00:00:00Z").await.unwrap());
    // The key is taken: the later answer is not remembered, the first stays.
    let second = answer("req-2", 409, r#"{"error":"conflict"}"#);
    assert!(!db().await.store_response("uca", "k1", &second, "2026-01-02T00:00:00Z").await.unwrap());
    assert_eq!(db().await.stored_response("uca", "k1").await.unwrap(), Some(first.clone()));
    // Keys are per institution.
    assert_eq!(db().await.stored_response("unito", "k1").await.unwrap(), None);
    assert!(db().await.store_response("unito", "k1", &second, "2026-01-02T00:00:00Z").await.unwrap());
    assert_eq!(db().await.stored_response("unito", "k1").await.unwrap(), Some(second));
    assert_eq!(db().await.stored_response("uca", "k1").await.unwrap(), Some(first.clone()));
    // The highest status survives the integer column.
    let highest = answer("req-3", u16::MAX, "");
    assert!(db().await.store_response("uca", "k2", &highest, "2026-01-03T00:00:00Z").await.unwrap());
    assert_eq!(db().await.stored_response("uca", "k2").await.unwrap(), Some(highest));

    let result = db().await.store_response("nowhere", "k1", &first, "2026-01-01T00:00:00Z").await;
    assert_missing_reference(result, "the answer to an idempotent request");
    assert_eq!(db().await.stored_response("nowhere", "k1").await.unwrap(), None);
}

pub(crate) async fn old_idempotent_answers_are_forgotten(store: &Store) {
    setup(store).await;
    let answer = |hash: &str| StoredResponse { request_hash: hash.into(), status: 201, body: "{}".into() };
    let db = || async { store.db().await.unwrap() };
    for (institution, key, at) in [
        ("uca", "old", "2026-01-01T00:00:00Z"),
        ("unito", "old", "2026-01-07T23:59:59.999Z"),
        ("uca", "same-second", "2026-01-08T00:00:00.5Z"),
        ("uca", "fresh", "2026-01-09T00:00:00Z"),
    ] {
        assert!(db().await.store_response(institution, key, &answer(key), at).await.unwrap());
    }
    // Older than the second given, of every institution; that second and later are kept.
    assert_eq!(db().await.forget_responses_before("2026-01-08T00:00:00Z").await.unwrap(), 2);
    assert_eq!(db().await.stored_response("uca", "old").await.unwrap(), None);
    assert_eq!(db().await.stored_response("unito", "old").await.unwrap(), None);
    assert_eq!(db().await.stored_response("uca", "same-second").await.unwrap(), Some(answer("same-second")));
    assert_eq!(db().await.stored_response("uca", "fresh").await.unwrap(), Some(answer("fresh")));
    assert_eq!(db().await.forget_responses_before("2026-01-08T00:00:00Z").await.unwrap(), 0, "nothing twice");
    // A forgotten key may be used again.
    assert!(db().await.store_response("uca", "old", &answer("again"), "2026-01-09T00:00:00Z").await.unwrap());
    assert_eq!(db().await.stored_response("uca", "old").await.unwrap(), Some(answer("again")));
}

fn wallet_offer(id: &str, credential: &str, expires_at: i64) -> WalletOfferRecord {
    WalletOfferRecord {
        id: id.into(),
        credential_id: credential.into(),
        code_hash: format!("code-{id}"),
        tx_code_hash: format!("tx-{id}"),
        failures: 0,
        created_at: 100,
        expires_at,
        redeemed_at: None,
        token_hash: None,
        token_expires_at: None,
        token_jkt: None,
    }
}

pub(crate) async fn wallet_offers_are_redeemed_once_and_deliver_once(store: &Store) {
    setup(store).await;
    store.db().await.unwrap().insert_credential(&credential("c1", "uca", 1, 1, "t")).await.unwrap();
    for offer in [wallet_offer("o1", "c1", 1_000), wallet_offer("o2", "c1", 1_000), wallet_offer("o3", "c1", 1_000)] {
        store.db().await.unwrap().insert_wallet_offer(&offer).await.unwrap();
    }
    let same_id = WalletOfferRecord { code_hash: "code-other".into(), ..wallet_offer("o1", "c1", 1_000) };
    let result = store.db().await.unwrap().insert_wallet_offer(&same_id).await;
    assert_conflict(result, "a wallet offer", Some("id"));
    let same_code = WalletOfferRecord { id: "o4".into(), ..wallet_offer("o1", "c1", 1_000) };
    let result = store.db().await.unwrap().insert_wallet_offer(&same_code).await;
    assert_conflict(result, "a wallet offer", Some("code_hash"));
    let result = store.db().await.unwrap().insert_wallet_offer(&wallet_offer("o9", "c9", 1_000)).await;
    assert_missing_reference(result, "a wallet offer");

    let by_code =
        |hash: &'static str| async move { store.db().await.unwrap().wallet_offer_by_code(hash).await.unwrap() };
    let live = |now: i64| async move { store.db().await.unwrap().live_wallet_offers("c1", now, 5).await.unwrap() };
    assert_eq!(live(500).await, 3);
    assert_eq!(by_code("code-o1").await, Some(wallet_offer("o1", "c1", 1_000)));
    assert_eq!(by_code("code-none").await, None);

    let redeem = |id: &'static str, token: &'static str, now: i64| async move {
        store.db().await.unwrap().redeem_wallet_offer(id, token, now + 600, Some("jkt-1"), now, 5).await.unwrap()
    };
    assert!(redeem("o1", "token-1", 500).await);
    assert!(!redeem("o1", "token-again", 501).await, "a code is exchanged once");
    assert!(!redeem("o2", "token-2", 1_000).await, "an offer is over at its expiry time");
    for _ in 0..5 {
        store.db().await.unwrap().fail_wallet_offer("o3").await.unwrap();
    }
    assert_eq!(by_code("code-o3").await.unwrap().failures, 5);
    assert!(!redeem("o3", "token-3", 500).await, "five wrong transaction codes void an offer");

    let by_token = |hash: &'static str, now: i64| async move {
        store.db().await.unwrap().wallet_offer_by_token(hash, now).await.unwrap().map(|offer| offer.id)
    };
    assert_eq!(by_token("token-1", 1_099).await.as_deref(), Some("o1"));
    assert_eq!(by_token("token-1", 1_100).await, None, "a token is over at its expiry time");
    assert_eq!(by_token("token-again", 600).await, None);
    let redeemed = by_code("code-o1").await.unwrap();
    assert_eq!(
        (redeemed.redeemed_at, redeemed.token_expires_at, redeemed.token_jkt.as_deref()),
        (Some(500), Some(1_100), Some("jkt-1"))
    );

    let deliver = |configuration: &'static str| async move {
        store.db().await.unwrap().deliver_wallet_offer("o1", configuration, 700).await.unwrap()
    };
    assert!(deliver("sd_jwt").await);
    assert!(!deliver("sd_jwt").await, "a configuration is delivered once per offer");
    assert!(deliver("ldp_vc").await);

    store.db().await.unwrap().insert_wallet_nonce("n1", 1_000, 0).await.unwrap();
    store.db().await.unwrap().insert_wallet_nonce("n2", 1_000, 0).await.unwrap();
    let used = |hash: &'static str, now: i64| async move {
        store.db().await.unwrap().use_wallet_nonce(hash, now).await.unwrap()
    };
    assert!(used("n1", 999).await);
    assert!(!used("n1", 999).await, "a nonce is used once");
    assert!(!used("n2", 1_000).await, "a nonce is over at its expiry time");
    assert!(!used("none", 0).await);
    // Expired nonces are forgotten when another is handed out.
    store.db().await.unwrap().insert_wallet_nonce("n3", 3_000, 2_000).await.unwrap();
    let result = store.db().await.unwrap().insert_wallet_nonce("n3", 3_000, 2_000).await;
    assert_conflict(result, "a wallet nonce", Some("nonce_hash"));
    assert!(!used("n2", 0).await, "the expired nonce was forgotten");

    assert_eq!(live(500).await, 1, "o1 was exchanged and o3 voided; o2 can still be taken");
    assert_eq!(live(1_000).await, 0, "o2 expired");
    // Offers never taken are forgotten once expired; an exchanged one stays with its deliveries.
    assert_eq!(store.db().await.unwrap().forget_wallet_offers_before(1_000).await.unwrap(), 0);
    assert_eq!(store.db().await.unwrap().forget_wallet_offers_before(1_001).await.unwrap(), 2);
    assert_eq!(by_code("code-o2").await, None);
    assert!(by_code("code-o1").await.is_some());
    store.db().await.unwrap().insert_wallet_offer(&wallet_offer("o2", "c1", 9_000)).await.unwrap();

    // A failed transaction leaves the nonce and the delivery as they were.
    let mut tx = store.begin().await.unwrap();
    assert!(tx.db().use_wallet_nonce("n3", 2_500).await.unwrap());
    assert!(tx.db().deliver_wallet_offer("o2", "sd_jwt", 2_500).await.unwrap());
    tx.rollback().await.unwrap();
    assert!(used("n3", 2_500).await);
}

//! Institutions, learners and specifications (with their awarding bodies): optional fields set
//! and unset, lookups, and the conflicts and missing references a write can meet.

use mc_core::{
    Email, Institution, InstitutionId, Learner, Spec,
    wire::{LearnerDocument, SpecDocument, WorkloadDocument},
};
use mc_store::{Counts, Store, StoreError};
use mc_test_support::{institution, institution_document, learner, spec, spec_document, spec_id};

use crate::fixtures::{assert_conflict, assert_missing_reference, learner_id, setup};

const INSTITUTION_TAKEN: &str = "an institution with this id, legal identifier or DID";

/// An institution without a website or a DID, and a legal identifier of its own.
fn bare_institution(id: &str) -> Institution {
    let mut document = institution_document(id);
    document.website = None;
    document.did = None;
    document.parse().unwrap()
}

/// A specification with every optional element unset: no EQF level, hours, ISCED-F field,
/// description, identity verification and so on.
fn bare_spec(n: u128, issuer: &str) -> Spec {
    let document = SpecDocument {
        id: Some(spec_id(n).to_string()),
        awarding_bodies: Some(vec![issuer.into()]),
        languages: Some(vec!["en".into()]),
        title: Some(serde_json::from_value(serde_json::json!({"en": "Bare"})).unwrap()),
        learning_outcomes: Some(vec![serde_json::from_value(serde_json::json!({"text": {"en": "Do it"}})).unwrap()]),
        workload: Some(WorkloadDocument { ects: Some(0.25), hours: None }),
        assessment: Some(
            serde_json::from_value(serde_json::json!({"kind": "formative", "methods": ["project"]})).unwrap(),
        ),
        participation: Some("onsite".into()),
        quality_assurance: Some(serde_json::from_value(serde_json::json!({"internal": true})).unwrap()),
        ..SpecDocument::default()
    };
    document.parse(spec_id(n)).unwrap()
}

/// A specification of `bodies` (the first is the issuer).
fn co_awarded(n: u128, bodies: &[&str]) -> Spec {
    let mut document = spec_document(spec_id(n), bodies[0]);
    document.awarding_bodies = Some(bodies.iter().map(|body| (*body).to_owned()).collect());
    document.parse(spec_id(n)).unwrap()
}

pub(crate) async fn institutions_without_optional_fields_round_trip(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    tx.db().insert_institution(&bare_institution("aalto")).await.unwrap();
    // Many institutions may have no DID: the unique column holds NULL more than once.
    tx.db().insert_institution(&bare_institution("bordeaux")).await.unwrap();
    tx.db().insert_institution(&institution("uca")).await.unwrap();
    tx.commit().await.unwrap();
    let aalto = store.db().await.unwrap().institution(&InstitutionId::parse("aalto").unwrap()).await.unwrap();
    assert_eq!(aalto, Some(bare_institution("aalto")));
    assert_eq!(aalto.unwrap().did(), None);
    assert_eq!(
        store.db().await.unwrap().institutions().await.unwrap(),
        vec![bare_institution("aalto"), bare_institution("bordeaux"), institution("uca")]
    );
}

pub(crate) async fn institution_conflicts_name_the_column(store: &Store) {
    store.db().await.unwrap().insert_institution(&institution("uca")).await.unwrap();
    let mut same_legal_id = institution_document("other");
    same_legal_id.legal_identifier = Some("LEGAL-uca".into());
    let result = store.db().await.unwrap().insert_institution(&same_legal_id.parse().unwrap()).await;
    assert_conflict(result, INSTITUTION_TAKEN, Some("legal_identifier"));
    let mut same_did = institution_document("other");
    same_did.did = Some("did:web:uca.example".into());
    let result = store.db().await.unwrap().insert_institution(&same_did.parse().unwrap()).await;
    assert_conflict(result, INSTITUTION_TAKEN, Some("did"));
    let mut same_id = institution_document("uca");
    same_id.legal_identifier = Some("LEGAL-uca-2".into());
    same_id.did = None;
    let result = store.db().await.unwrap().insert_institution(&same_id.parse().unwrap()).await;
    assert_conflict(result, INSTITUTION_TAKEN, Some("id"));
    assert_eq!(store.db().await.unwrap().institutions().await.unwrap(), vec![institution("uca")]);
}

pub(crate) async fn learners_by_id_with_and_without_did(store: &Store) {
    let with_did = LearnerDocument {
        id: None,
        name: Some("Ana Ñúñez".into()),
        email: Some("ana@learners.example".into()),
        did: Some("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK".into()),
    }
    .parse(learner(7, "unused@learners.example").id())
    .unwrap();
    let without_did = learner(8, "bea@learners.example");
    let mut tx = store.begin().await.unwrap();
    tx.db().insert_learner(&with_did).await.unwrap();
    tx.db().insert_learner(&without_did).await.unwrap();
    tx.commit().await.unwrap();
    let id = with_did.id().to_string();
    assert_eq!(store.db().await.unwrap().learner(&id).await.unwrap(), Some(with_did.clone()));
    assert_eq!(
        store.db().await.unwrap().learner(&without_did.id().to_string()).await.unwrap(),
        Some(without_did.clone())
    );
    assert_eq!(
        store.db().await.unwrap().learner(&learner(9, "c@learners.example").id().to_string()).await.unwrap(),
        None
    );
    assert_eq!(
        store.db().await.unwrap().learner_by_email(&Email::parse("ana@learners.example").unwrap()).await.unwrap(),
        Some(with_did.clone())
    );
    // Ordered by name: "Ana Ñúñez" before "Learner 8".
    assert_eq!(store.db().await.unwrap().learners().await.unwrap(), vec![with_did, without_did]);
}

pub(crate) async fn learners_are_added_once_per_email(store: &Store) {
    let first = learner(1, "a@learners.example");
    assert!(store.db().await.unwrap().insert_learner_if_new(&first).await.unwrap());
    // The same email under another id: not added, and the first learner stays.
    assert!(!store.db().await.unwrap().insert_learner_if_new(&learner(2, "a@learners.example")).await.unwrap());
    assert_eq!(store.db().await.unwrap().learners().await.unwrap(), vec![first.clone()]);
    // The same id under another email is a conflict on the id, with either method.
    let result = store.db().await.unwrap().insert_learner_if_new(&learner(1, "z@learners.example")).await;
    assert_conflict(result, "a learner with this id", Some("id"));
    let result = store.db().await.unwrap().insert_learner(&learner(1, "z@learners.example")).await;
    assert_conflict(result, "a learner with this id or email", Some("id"));
    let result = store.db().await.unwrap().insert_learner(&learner(3, "a@learners.example")).await;
    assert_conflict(result, "a learner with this id or email", Some("email"));
    assert_eq!(store.db().await.unwrap().learners().await.unwrap(), vec![first.clone()]);
    assert_eq!(store.db().await.unwrap().counts().await.unwrap(), Counts { institutions: 0, specs: 0, learners: 1 });

    // Many at once: the registered one and the second of two with one email are not added;
    // more than one statement's worth are.
    let mut many = vec![learner(10, "a@learners.example"), learner(11, "b@learners.example")];
    many.push(learner(12, "b@learners.example"));
    many.extend((0..150).map(|n| learner(100 + n, &format!("many{n}@learners.example"))));
    let refs: Vec<&Learner> = many.iter().collect();
    let mut added = store.db().await.unwrap().insert_learners_if_new(&refs).await.unwrap();
    added.sort();
    let mut expected: Vec<String> =
        many[1..2].iter().chain(&many[3..]).map(|learner| learner.email().to_string()).collect();
    expected.sort();
    assert_eq!(added, expected, "in no promised order");
    let found = store
        .db()
        .await
        .unwrap()
        .learners_by_email(&["a@learners.example", "b@learners.example", "none@learners.example"])
        .await
        .unwrap();
    let mut found: Vec<String> = found.iter().map(|learner| learner.id().to_string()).collect();
    found.sort();
    assert_eq!(found, [first.id().to_string(), many[1].id().to_string()]);
    assert_eq!(store.db().await.unwrap().counts().await.unwrap().learners, 152);
}

pub(crate) async fn specs_without_optional_fields_round_trip(store: &Store) {
    store.db().await.unwrap().insert_institution(&institution("uca")).await.unwrap();
    store.db().await.unwrap().insert_spec(&bare_spec(1, "uca")).await.unwrap();
    store.db().await.unwrap().insert_spec(&spec(spec_id(2), "uca")).await.unwrap();
    let stored = store.db().await.unwrap().spec(spec_id(1)).await.unwrap().unwrap();
    assert_eq!(stored, bare_spec(1, "uca"));
    assert_eq!((stored.eqf_level(), stored.workload().hours(), stored.isced_f()), (None, None, None));
    // By issuer, then title: "Bare" before "Data literacy…".
    assert_eq!(store.db().await.unwrap().specs().await.unwrap(), vec![bare_spec(1, "uca"), spec(spec_id(2), "uca")]);
}

pub(crate) async fn co_awarded_specs_keep_their_awarding_bodies(store: &Store) {
    setup(store).await;
    store.db().await.unwrap().insert_institution(&institution("aalto")).await.unwrap();
    let both = co_awarded(4, &["uca", "unito"]);
    store.db().await.unwrap().insert_spec(&both).await.unwrap();
    assert_eq!(store.db().await.unwrap().spec(spec_id(4)).await.unwrap(), Some(both.clone()));
    // Saving it again with the same bodies replaces their rows rather than adding to them.
    assert!(store.db().await.unwrap().update_spec(&both).await.unwrap());
    let three = co_awarded(4, &["uca", "aalto", "unito"]);
    assert!(store.db().await.unwrap().update_spec(&three).await.unwrap());
    assert_eq!(store.db().await.unwrap().spec(spec_id(4)).await.unwrap(), Some(three.clone()));
    // A body that is not stored is refused, and the transaction it was in leaves nothing.
    let mut tx = store.begin().await.unwrap();
    let result = tx.db().update_spec(&co_awarded(4, &["uca", "nowhere"])).await;
    assert_missing_reference(result, "the awarding body of a specification");
    tx.rollback().await.unwrap();
    assert_eq!(store.db().await.unwrap().spec(spec_id(4)).await.unwrap(), Some(three));
    let result = store.db().await.unwrap().insert_spec(&co_awarded(5, &["uca", "nowhere"])).await;
    assert_missing_reference(result, "the awarding body of a specification");
}

pub(crate) async fn specs_are_updated_in_place(store: &Store) {
    setup(store).await;
    let edited = bare_spec(1, "uca");
    assert!(store.db().await.unwrap().update_spec(&edited).await.unwrap());
    assert_eq!(store.db().await.unwrap().spec(spec_id(1)).await.unwrap(), Some(edited.clone()));
    // Moved to another issuer, it sorts with that issuer's.
    let moved = bare_spec(2, "unito");
    assert!(store.db().await.unwrap().update_spec(&moved).await.unwrap());
    assert_eq!(
        store.db().await.unwrap().specs().await.unwrap(),
        vec![edited, moved, spec(spec_id(3), "unito")],
        "by issuer, then title"
    );
    // An unknown specification is not added.
    assert!(!store.db().await.unwrap().update_spec(&spec(spec_id(9), "uca")).await.unwrap());
    assert_eq!(store.db().await.unwrap().spec(spec_id(9)).await.unwrap(), None);
    // An issuer that is not stored is a missing reference, as on insert.
    let result = store.db().await.unwrap().update_spec(&bare_spec(1, "nowhere")).await;
    assert_missing_reference(result, "a specification");
    assert_eq!(store.db().await.unwrap().spec(spec_id(1)).await.unwrap(), Some(bare_spec(1, "uca")));
}

pub(crate) async fn every_version_of_a_spec_is_kept(store: &Store) {
    setup(store).await;
    let first = spec(spec_id(1), "uca");
    let with_version = |id| async move { store.db().await.unwrap().spec_with_version(id).await.unwrap() };
    assert_eq!(with_version(spec_id(1)).await, Some((first.clone(), 1)), "a stored specification is version 1");
    let edited = bare_spec(1, "uca");
    assert!(store.db().await.unwrap().update_spec(&edited).await.unwrap());
    assert!(store.db().await.unwrap().update_spec(&first).await.unwrap());
    assert_eq!(with_version(spec_id(1)).await, Some((first.clone(), 3)), "each edit is the next version");
    let version = |n| async move { store.db().await.unwrap().spec_version(spec_id(1), n).await.unwrap() };
    assert_eq!(version(1).await, Some(first.clone()));
    assert_eq!(version(2).await, Some(edited), "an earlier version reads as it was");
    assert_eq!(version(3).await, Some(first));
    assert_eq!(version(4).await, None);
    assert_eq!(with_version(spec_id(9)).await, None);
    // A refused edit makes no version.
    let result = store.db().await.unwrap().update_spec(&bare_spec(1, "nowhere")).await;
    assert_missing_reference(result, "a specification");
    assert_eq!(with_version(spec_id(1)).await.map(|(_, version)| version), Some(3));
}

pub(crate) async fn agreements_are_versioned_signed_and_ended(store: &Store) {
    setup(store).await;
    let parties = ["uca", "unito"];
    let mut db = store.db().await.unwrap();
    assert_eq!(db.agreement("a-b", None).await.unwrap(), None);
    let first = db.insert_agreement_version("a-b", r#"{"v":1}"#, &parties, "staff@uca.example", "2026-01-01T00:00:00Z");
    assert_eq!(first.await.unwrap(), 1);
    assert!(db.sign_agreement("a-b", 1, "uca", "admin@uca.example", "2026-01-02T00:00:00Z").await.unwrap());
    assert!(!db.sign_agreement("a-b", 1, "uca", "someone@uca.example", "2026-01-03T00:00:00Z").await.unwrap(), "once");
    assert!(!db.sign_agreement("a-b", 1, "nowhere", "x", "t").await.unwrap(), "not a party");
    let second =
        db.insert_agreement_version("a-b", r#"{"v":2}"#, &parties, "staff@unito.example", "2026-02-01T00:00:00Z");
    assert_eq!(second.await.unwrap(), 2);
    let latest = db.agreement("a-b", None).await.unwrap().unwrap();
    assert_eq!((latest.version, latest.document.as_str()), (2, r#"{"v":2}"#));
    assert!(latest.parties.iter().all(|party| party.signed_by.is_none()), "a new version is signed anew");
    let first = db.agreement("a-b", Some(1)).await.unwrap().unwrap();
    assert_eq!(first.parties[0].signed_by.as_deref(), Some("admin@uca.example"));
    assert_eq!(first.parties[1].institution_id, "unito");
    assert_eq!(db.agreements().await.unwrap().len(), 1, "the latest version of each");

    let ending = mc_store::EndingRecord {
        institution_id: "unito".into(),
        ended_by: "admin@unito.example".into(),
        ended_at: "2026-03-01T00:00:00Z".into(),
    };
    assert!(db.end_agreement("a-b", &ending).await.unwrap());
    assert!(!db.end_agreement("a-b", &ending).await.unwrap(), "ended once");
    assert_eq!(db.agreement("a-b", Some(1)).await.unwrap().unwrap().ended, Some(ending));
    // A party must be a registered institution.
    assert!(db.insert_agreement_version("c-d", "{}", &["uca", "nowhere"], "x", "t").await.is_err());
}

pub(crate) async fn recognition_decisions_round_trip(store: &Store) {
    setup(store).await;
    let accepted = mc_store::DecisionRecord {
        id: "d1".into(),
        institution_id: "unito".into(),
        credential_id: "urn:uuid:c1".into(),
        credential_digest: "ab".repeat(32),
        accepted: true,
        agreement: Some(("a-b".into(), 2, "stats".into())),
        granted: Some(("the course S-1 Statistics (5 ECTS)".into(), 5.0)),
        reason: None,
        decided_by: "officer@unito.example".into(),
        decided_at: "2026-03-01T00:00:00Z".into(),
        document: Some("{}".into()),
    };
    let rejected = mc_store::DecisionRecord {
        id: "d2".into(),
        accepted: false,
        agreement: None,
        granted: None,
        reason: Some("the grade is too low".into()),
        document: None,
        decided_at: "2026-03-02T00:00:00Z".into(),
        ..accepted.clone()
    };
    let mut db = store.db().await.unwrap();
    db.insert_decision(&accepted).await.unwrap();
    db.insert_decision(&rejected).await.unwrap();
    assert_eq!(db.decisions("unito").await.unwrap(), [accepted.clone(), rejected]);
    assert!(db.decisions("uca").await.unwrap().is_empty());
    assert!(db.insert_decision(&accepted).await.is_err(), "an id once");
}

pub(crate) async fn recognition_requests_are_answered_once(store: &Store) {
    setup(store).await;
    let request = mc_store::RequestRecord {
        id: "r1".into(),
        learner_id: learner_id(1),
        institution_id: "unito".into(),
        credential: "{}".into(),
        credential_digest: "cd".repeat(32),
        title: "Statistics".into(),
        issued_id: None,
        note: Some("for my degree".into()),
        requested_at: "2026-03-01T00:00:00Z".into(),
        decision_id: None,
    };
    let mut db = store.db().await.unwrap();
    db.insert_recognition_request(&request).await.unwrap();
    let again = mc_store::RequestRecord { id: "r2".into(), ..request.clone() };
    match db.insert_recognition_request(&again).await {
        Err(StoreError::Conflict { column: Some("credential_digest"), .. }) => {}
        other => panic!("the same credential asked of the same institution twice: {other:?}"),
    }
    let elsewhere = mc_store::RequestRecord { id: "r3".into(), institution_id: "uca".into(), ..request.clone() };
    db.insert_recognition_request(&elsewhere).await.unwrap();
    let unknown = mc_store::RequestRecord { id: "r4".into(), institution_id: "nowhere".into(), ..request.clone() };
    assert_missing_reference(db.insert_recognition_request(&unknown).await, "a recognition request");
    assert_eq!(db.recognition_requests(mc_store::Asked::Of("unito")).await.unwrap(), std::slice::from_ref(&request));
    assert_eq!(db.recognition_requests(mc_store::Asked::By(&learner_id(1))).await.unwrap().len(), 2);
    assert!(db.recognition_requests(mc_store::Asked::By(&learner_id(2))).await.unwrap().is_empty());

    let decision = mc_store::DecisionRecord {
        id: "d1".into(),
        institution_id: "unito".into(),
        credential_id: "urn:uuid:c1".into(),
        credential_digest: request.credential_digest.clone(),
        accepted: false,
        agreement: None,
        granted: None,
        reason: Some("not in our degrees".into()),
        decided_by: "officer@unito.example".into(),
        decided_at: "2026-03-02T00:00:00Z".into(),
        document: None,
    };
    db.insert_decision(&decision).await.unwrap();
    assert!(db.answer_recognition_request("r1", "d1").await.unwrap());
    assert!(!db.answer_recognition_request("r1", "d1").await.unwrap(), "answered once");
    let answered = db.recognition_request("r1").await.unwrap().unwrap();
    assert_eq!(answered.decision_id.as_deref(), Some("d1"));
    assert_eq!(db.decision("d1").await.unwrap(), Some(decision));
    assert_eq!(db.recognition_request("nope").await.unwrap(), None);
}

pub(crate) async fn pathways_and_stacked_credentials_are_kept_once(store: &Store) {
    setup(store).await;
    let pathway = mc_store::PathwayRecord {
        id: "data-certificate".into(),
        institution_id: "unito".into(),
        document: r#"{"id":"data-certificate"}"#.into(),
        created_by: "operator".into(),
        created_at: "2026-03-01T00:00:00Z".into(),
    };
    let mut db = store.db().await.unwrap();
    db.insert_pathway(&pathway).await.unwrap();
    match db.insert_pathway(&pathway).await {
        Err(StoreError::Conflict { column: Some("id"), .. }) => {}
        other => panic!("a pathway's handle is taken once: {other:?}"),
    }
    let elsewhere = mc_store::PathwayRecord { id: "other".into(), institution_id: "nowhere".into(), ..pathway.clone() };
    assert_missing_reference(db.insert_pathway(&elsewhere).await, "a pathway");
    assert_eq!(db.pathways().await.unwrap(), std::slice::from_ref(&pathway));
    assert_eq!(db.pathway("data-certificate").await.unwrap(), Some(pathway));
    assert_eq!(db.pathway("nope").await.unwrap(), None);

    let stacked = mc_store::StackedRecord {
        id: "s1".into(),
        pathway_id: "data-certificate".into(),
        learner_id: learner_id(1),
        document: "{}".into(),
        edc_document: Some("{\"payload\":\"{}\"}".into()),
        issued_at: "2026-04-01T00:00:00Z".into(),
    };
    db.insert_stacked_credential(&stacked).await.unwrap();
    match db.insert_stacked_credential(&mc_store::StackedRecord { id: "s2".into(), ..stacked.clone() }).await {
        Err(StoreError::Conflict { column: Some("learner_id"), .. }) => {}
        other => panic!("one stacked credential per pathway and learner: {other:?}"),
    }
    assert_eq!(db.stacked_credentials(&learner_id(1)).await.unwrap(), [stacked]);
    assert!(db.stacked_credentials(&learner_id(2)).await.unwrap().is_empty());
}

pub(crate) async fn mails_are_queued_once_claimed_and_retried(store: &Store) {
    setup(store).await;
    let mail = |id: &str, key: &str| mc_store::MailRecord {
        id: id.into(),
        key: key.into(),
        recipient: "a@learners.example".into(),
        subject: "Su microcredencial: Ñandú".into(),
        body: "Hola".into(),
        created_at: "2026-05-01T00:00:00Z".into(),
        attempts: 0,
    };
    let mut db = store.db().await.unwrap();
    assert!(db.queue_mail(&mail("m1", "issued:c1"), 100).await.unwrap());
    assert!(!db.queue_mail(&mail("m2", "issued:c1"), 100).await.unwrap(), "a key is queued once");
    assert!(db.queue_mail(&mail("m3", "issued:c2"), 200).await.unwrap());
    assert_eq!(db.claim_mail(99, 300).await.unwrap(), None, "nothing is due yet");
    let first = db.claim_mail(150, 300).await.unwrap().unwrap();
    assert_eq!((first.id.as_str(), first.attempts, first.subject.as_str()), ("m1", 1, "Su microcredencial: Ñandú"));
    assert_eq!(db.claim_mail(150, 300).await.unwrap(), None, "a claimed mail is the sender's until its lease ends");
    db.mail_failed("m1", "451 try again", 400).await.unwrap();
    assert_eq!(db.claim_mail(250, 500).await.unwrap().map(|mail| mail.id), Some("m3".into()));
    db.mail_sent("m3", "2026-05-01T00:05:00Z").await.unwrap();
    assert_eq!(db.claim_mail(399, 500).await.unwrap(), None, "m1 waits until it is due again");
    let again = db.claim_mail(400, 700).await.unwrap().unwrap();
    assert_eq!((again.id.as_str(), again.attempts), ("m1", 2));
    assert_eq!(db.mail_counts().await.unwrap(), mc_store::MailCounts { waiting: 1, sent: 1 });
    // A lease that ran out lets another sender take it.
    assert_eq!(db.claim_mail(701, 900).await.unwrap().map(|mail| mail.attempts), Some(3));
}

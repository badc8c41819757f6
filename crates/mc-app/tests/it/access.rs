//! Access by construction: every use case a handle offers, tried by every role of another
//! institution, finds nothing of the first institution's and changes nothing.

use mc_app::{
    App, AppError, CohortRow, CohortSubmission, IssueRequest, KeyVault, LearnerRef, Publication, Role, StateChange,
    StoredResponse,
};
use mc_core::{Timestamp, wire::SpecDocument};
use mc_test_support::TestDb;
use mc_vc::proof::Suite;

/// A published specification of valdeoliva.
const SPEC_A: &str = "01936a3e-0000-7000-8000-000000000001";
/// A draft of valdeoliva, added by the test.
const DRAFT_A: &str = "01936a3e-0000-7000-8000-0000000000a1";

fn now() -> Timestamp {
    Timestamp::parse("2026-11-30T12:00:00Z").unwrap()
}

fn request(spec: &str) -> IssueRequest<'_> {
    IssueRequest {
        spec,
        learner: LearnerRef::Named { email: "aino.virtanen@learners.example", name: "Aino Virtanen" },
        suite: Suite::EddsaRdfc2022,
        format: mc_core::CredentialFormat::OpenBadges,
        cohort_key: None,
        idempotency_key: None,
        grade: None,
        now: now(),
    }
}

fn cohort(spec: &str) -> CohortSubmission<'_> {
    let row =
        CohortRow { name: Some("Mari Tamm".into()), email: Some("mari.tamm@example.org".into()), ..Default::default() };
    CohortSubmission {
        spec,
        cohort_key: None,
        suite: Suite::EddsaRdfc2022,
        format: mc_core::CredentialFormat::OpenBadges,
        rows: vec![(2, row)],
    }
}

/// Asserts that `result` is the refusal `expected` names: `NotFound` or `Forbidden`.
#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T, AppError>, expected: &str, what: &str) {
    match (&result, expected) {
        (Err(AppError::NotFound { .. }), "not found") | (Err(AppError::Forbidden(_)), "forbidden") => {}
        _ => panic!("{what}: expected {expected}, got {result:?}"),
    }
}

#[tokio::test]
async fn every_use_case_refuses_every_role_of_another_institution() {
    for db in TestDb::all().await {
        let app = App::open(&db.url).await.unwrap().with_vault(KeyVault::new(&[7; 32]));
        let operator = app.operator();
        operator.load_demo(now()).await.unwrap();

        // Valdeoliva's data: a credential, a cohort job, a draft, a token, a remembered answer.
        let a = operator.acting_for("valdeoliva").await.unwrap();
        let (credential, _) = a.issuer().issue(&request(SPEC_A)).await.unwrap();
        let job = a.issuer().submit_cohort(cohort(SPEC_A), now()).await.unwrap();
        let mut draft = SpecDocument::from(&operator.spec(SPEC_A).await.unwrap());
        draft.id = Some(DRAFT_A.into());
        a.issuer().add_spec(&draft, now()).await.unwrap();
        let a_token = a.create_token(Role::Viewer, "a's viewer", now()).await.unwrap();
        let answer = StoredResponse { request_hash: "h".into(), status: 201, body: "{}".into() };
        a.issuer().remember_response("key-1", &answer).await.unwrap();

        let b_admin = operator.acting_for("roccalba").await.unwrap();
        for role in Role::ALL {
            let what = |use_case: &str| format!("[{}] {use_case} as roccalba's {}", db.backend, role.as_str());
            let token = b_admin.create_token(role, "probe", now()).await.unwrap();
            let principal = app.authenticate_token(&token.secret).await.unwrap();
            let b = app.acting_as(&principal).unwrap();

            // What every member may do.
            refused(b.spec(DRAFT_A).await, "not found", &what("spec (a draft)"));
            refused(b.credential(credential.id()).await, "not found", &what("credential"));
            refused(b.cohort_job(&job.id).await, "not found", &what("cohort_job"));
            assert!(b.credentials(None, Some(SPEC_A)).await.unwrap().is_empty(), "{}", what("credentials"));
            assert!(b.cohort_jobs().await.unwrap().is_empty(), "{}", what("cohort_jobs"));
            refused(b.consents_of(DRAFT_A).await, "not found", &what("consents_of (a draft)"));
            assert!(b.consents_asked().await.unwrap().is_empty(), "{}", what("consents_asked"));
            assert!(b.specs().await.unwrap().iter().all(|(spec, _)| spec.issuer().as_str() == "roccalba"));
            // Another institution's published specification is public, and only that.
            assert!(b.spec(SPEC_A).await.is_ok(), "{}", what("spec (published)"));

            // What an issuer may do.
            match b.issuer() {
                Err(AppError::Forbidden(_)) => assert!(!role.includes(Role::Issuer), "{}", what("issuer()")),
                Err(err) => panic!("{}: {err}", what("issuer()")),
                Ok(issuer) => {
                    assert!(role.includes(Role::Issuer), "{}", what("issuer()"));
                    refused(issuer.add_spec(&draft, now()).await, "forbidden", &what("add_spec"));
                    refused(issuer.update_spec(&draft, now()).await, "not found", &what("update_spec (a draft)"));
                    let mut published = SpecDocument::from(&operator.spec(SPEC_A).await.unwrap());
                    published.awarding_bodies = Some(vec!["roccalba".into()]);
                    refused(issuer.update_spec(&published, now()).await, "forbidden", &what("update_spec"));
                    refused(issuer.publish_spec(DRAFT_A, now()).await, "not found", &what("publish_spec"));
                    refused(issuer.withdraw_spec(SPEC_A).await, "forbidden", &what("withdraw_spec"));
                    refused(issuer.issue(&request(SPEC_A)).await, "forbidden", &what("issue"));
                    refused(issuer.submit_cohort(cohort(SPEC_A), now()).await, "forbidden", &what("submit_cohort"));
                    for change in [StateChange::Revoke("mine now"), StateChange::Suspend, StateChange::Unsuspend] {
                        refused(
                            issuer.change_state(credential.id(), change, now()).await,
                            "not found",
                            &what("change_state"),
                        );
                    }
                    assert_eq!(
                        issuer.remembered_response("key-1").await.unwrap(),
                        None,
                        "{}",
                        what("remembered_response")
                    );
                }
            }

            // What an admin may do.
            match b.admin() {
                Err(AppError::Forbidden(_)) => assert_ne!(role, Role::Admin, "{}", what("admin()")),
                Err(err) => panic!("{}: {err}", what("admin()")),
                Ok(admin) => {
                    assert!(
                        admin
                            .tokens()
                            .await
                            .unwrap()
                            .iter()
                            .all(|token| token.institution().map(|id| id.as_str()) == Some("roccalba"))
                    );
                    refused(admin.revoke_token(&a_token.token.id, now()).await, "not found", &what("revoke_token"));
                    refused(admin.decide_consent(DRAFT_A, true, now()).await, "not found", &what("decide_consent"));
                }
            }

            // A member is neither the network's administrator nor a learner.
            refused(app.network_admin(&principal).map(|_| ()), "forbidden", &what("network_admin"));
            refused(app.learner_access(&principal).await.map(|_| ()), "forbidden", &what("learner_access"));
        }

        // Nothing of valdeoliva's changed.
        let a = operator.acting_for("valdeoliva").await.unwrap();
        assert_eq!(a.credential(credential.id()).await.unwrap().state(), mc_core::CredentialState::Active);
        assert_eq!(a.spec(DRAFT_A).await.unwrap().1, Publication::Draft);
        assert!(a.spec(SPEC_A).await.unwrap().1 != Publication::Draft);
        assert!(a.tokens().await.unwrap().iter().all(|token| token.revoked_at.is_none()));
        assert_eq!(a.issuer().remembered_response("key-1").await.unwrap(), Some(answer));
        app.close().await;
    }
}

#[tokio::test]
async fn nothing_is_issued_from_a_draft() {
    let db = TestDb::sqlite();
    let app = App::open(&db.url).await.unwrap().with_vault(KeyVault::new(&[7; 32]));
    let operator = app.operator();
    operator.load_demo(now()).await.unwrap();
    let a = operator.acting_for("valdeoliva").await.unwrap().issuer();
    let mut draft = SpecDocument::from(&operator.spec(SPEC_A).await.unwrap());
    draft.id = Some(DRAFT_A.into());
    a.add_spec(&draft, now()).await.unwrap();
    assert!(matches!(a.issue(&request(DRAFT_A)).await, Err(AppError::Conflict(_))));
    assert!(matches!(a.submit_cohort(cohort(DRAFT_A), now()).await, Err(AppError::Conflict(_))));
    assert!(matches!(operator.issue(&request(DRAFT_A)).await, Err(AppError::Conflict(_))));
    assert!(a.credentials(None, Some(DRAFT_A)).await.unwrap().is_empty());
    assert!(a.cohort_jobs().await.unwrap().is_empty());
    a.publish_spec(DRAFT_A, now()).await.unwrap();
    a.issue(&request(DRAFT_A)).await.unwrap();
}

/// Guessing is slow and seen: after five failures for an address, known or not, each further
/// attempt waits twice as long as the one before; every failure is in the audit log; a success
/// clears the count.
#[tokio::test]
async fn failed_sign_ins_slow_down_guessing_for_known_and_unknown_addresses_alike() {
    use mc_app::{Clock, FREE_FAILURES, FREE_FAILURES_PER_CLIENT};

    let db = TestDb::sqlite();
    let url = db.url.clone();
    let app = async |seconds: i64| {
        let when = Timestamp::from_unix(now().unix_seconds() + seconds, 0);
        App::open(&url).await.unwrap().with_clock(Clock::Fixed(when))
    };
    let base = app(0).await;
    base.operator().load_demo(now()).await.unwrap();
    base.operator()
        .add_staff(Some(("valdeoliva", Role::Issuer)), "ines@valdeoliva.example", "Inés", "a long passphrase", now())
        .await
        .unwrap();
    for (email, client) in [("ines@valdeoliva.example", "192.0.2.7"), ("nobody@valdeoliva.example", "192.0.2.8")] {
        let sign_in = |app: App, password: &'static str| async move {
            let now = app.now();
            app.sign_in_staff(email, password, Some(client), now).await.map(|_| ())
        };
        for _ in 0..FREE_FAILURES {
            assert!(matches!(sign_in(app(0).await, "guess").await, Err(AppError::Unauthenticated(_))), "{email}");
        }
        match sign_in(app(0).await, "a long passphrase").await {
            Err(AppError::TooManyAttempts { retry_after_seconds: 1 }) => {}
            other => panic!("{email}: the sixth attempt at once must wait a second: {other:?}"),
        }
        assert!(matches!(sign_in(app(1).await, "guess").await, Err(AppError::Unauthenticated(_))), "{email}");
        match sign_in(app(2).await, "guess").await {
            Err(AppError::TooManyAttempts { retry_after_seconds: 1 }) => {}
            other => panic!("{email}: after six failures the wait doubles: {other:?}"),
        }
        // The client's address is counted too, with a larger allowance (the people of a campus
        // may share one): it has six failures; once it has thirty, other accounts from it wait.
        let other = app(2).await;
        let mut failed = 6;
        let refused = loop {
            let guessed = format!("someone-{failed}@else.example");
            match other.sign_in_staff(&guessed, "guess", Some(client), other.now()).await {
                Err(AppError::Unauthenticated(_)) => failed += 1,
                refused => break refused,
            }
        };
        assert!(matches!(refused, Err(AppError::TooManyAttempts { .. })), "{email}: {refused:?}");
        assert_eq!(failed, FREE_FAILURES_PER_CLIENT, "{email}");
        if email.starts_with("ines") {
            assert!(
                sign_in(app(3).await, "a long passphrase").await.is_ok(),
                "the right password once the wait is over"
            );
        }
    }
    // After an hour without failures, an account's count starts again: five more are free.
    let later = |app: App| async move {
        let now = app.now();
        app.sign_in_staff("nobody@valdeoliva.example", "guess", None, now).await.map(|_| ())
    };
    for _ in 0..FREE_FAILURES {
        assert!(matches!(later(app(4000).await).await, Err(AppError::Unauthenticated(_))), "the count was forgotten");
    }
    let failures = base
        .operator()
        .audit_entries()
        .await
        .unwrap()
        .iter()
        .filter(|entry| entry.action == "staff.sign_in_failed")
        .count();
    assert!(failures >= 2 * (FREE_FAILURES as usize + 1), "every failure is in the audit log: {failures}");
}

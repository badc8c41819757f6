//! Use-case tests that need several issuers at once, on each backend.

mod access;
mod catalogue;
mod faults;

use std::collections::HashSet;

use mc_app::{App, CohortRow, IssueRequest, KeyVault, LearnerRef};
use mc_core::Timestamp;
use mc_store::Store;
use mc_test_support::TestDb;
use mc_vc::proof::Suite;

const ISSUERS: usize = 8;
const PER_ISSUER: usize = 1_000;

/// Eight issuers at once, a thousand credentials each, all into the same institution's lists:
/// every credential is stored, and no two share a status index.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_issuers_never_share_a_status_index() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let app = App::new(store.clone()).with_vault(KeyVault::new(&[9; 32]));
        app.operator().load_demo(mc_core::Timestamp::from_unix(1_750_000_000, 0)).await.unwrap();
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let mut tasks = Vec::new();
        for issuer in 0..ISSUERS {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let rows: Vec<(usize, CohortRow)> = (0..PER_ISSUER)
                    .map(|idx| {
                        let row = CohortRow {
                            name: Some(format!("Learner {issuer}-{idx}")),
                            email: Some(format!("l{issuer}-{idx}@concurrency.example")),
                            ..CohortRow::default()
                        };
                        (idx + 2, row)
                    })
                    .collect();
                let cohort_key = format!("issuer-{issuer}");
                let request = IssueRequest {
                    spec: "01936a3e-0000-7000-8000-000000000001",
                    learner: LearnerRef::IdOrEmail(""),
                    suite: Suite::EddsaJcs2022,
                    format: mc_core::CredentialFormat::OpenBadges,
                    cohort_key: Some(&cohort_key),
                    idempotency_key: None,
                    grade: None,
                    now,
                };
                app.operator().issue_cohort(&request, &rows, &mut |_| {}).await
            }));
        }
        for task in tasks {
            let summary = task.await.unwrap().unwrap_or_else(|err| panic!("[{}] {err}", db.backend));
            assert_eq!(summary.issued, PER_ISSUER);
        }
        let credentials = store.db().await.unwrap().credentials(mc_store::CredentialFilter::default()).await.unwrap();
        assert_eq!(credentials.len(), ISSUERS * PER_ISSUER, "[{}]", db.backend);
        let mut indexes = HashSet::new();
        for credential in &credentials {
            for entry in store.db().await.unwrap().status_entries_of(&credential.id).await.unwrap() {
                assert!(indexes.insert((entry.list_id, entry.index)), "[{}] an index was given twice", db.backend);
            }
        }
        assert_eq!(
            indexes.len(),
            2 * ISSUERS * PER_ISSUER,
            "[{}] a revocation and a suspension index each",
            db.backend
        );
        assert_eq!(
            store.db().await.unwrap().verify_audit().await.unwrap(),
            Ok(1 + (ISSUERS * PER_ISSUER) as u64),
            "[{}]",
            db.backend
        );
        store.close().await;
    }
}

/// The demo's specifications are all publishable, and some fail the Common Microcredential
/// Framework on purpose: these findings are what `spec check` and the catalogue show for them.
#[tokio::test]
async fn the_demo_specifications_fail_the_cmf_where_they_should() {
    use mc_core::quality::{Framework, Severity};

    let db = TestDb::sqlite();
    let app = App::new(Store::open(&db.url).await.unwrap());
    app.operator().load_demo(Timestamp::from_unix(1_750_000_000, 0)).await.unwrap();
    let mut cmf = Vec::new();
    for spec in app.operator().specs().await.unwrap() {
        let report = app.check_spec(&mc_core::wire::SpecDocument::from(&spec)).await.unwrap();
        assert_eq!(report.count(Severity::Error), 0, "{} has errors: {:?}", spec.id(), report.findings);
        let mut rules: Vec<&str> = report
            .findings
            .iter()
            .filter(|finding| finding.framework == Framework::Cmf)
            .map(|finding| finding.rule.as_str())
            .collect();
        rules.sort_unstable();
        if !rules.is_empty() {
            assert!(!report.compliant(Framework::Cmf));
            cmf.push((spec.id().to_string()[24..].to_owned(), rules.join(" ")));
        }
    }
    cmf.sort();
    let expected = [
        // EQF 4, 4 ECTS: within the exception, but formative and without identity verification.
        ("000000000008", "cmf.identity-verification cmf.summative-assessment"),
        // A doctoral course at EQF 8.
        ("000000000009", "cmf.level"),
        // 2 ECTS, 54 hours.
        ("000000000011", "cmf.level cmf.workload-ects cmf.workload-hours"),
        // 10 ECTS, 250 hours.
        ("000000000013", "cmf.workload-ects cmf.workload-hours"),
        // EQF 8.
        ("000000000014", "cmf.level"),
    ];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(id, rules)| ((*id).to_owned(), (*rules).to_owned())).collect();
    assert_eq!(cmf, expected);
}

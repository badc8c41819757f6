//! The catalogue index of a process kept up to date with what another process publishes,
//! edits and withdraws, one specification at a time, and built anew when an agreement
//! changes what is recognised: it answers as an index built anew from the store would.

use mc_app::App;
use mc_catalogue::{Facet, Query, SearchResult, generate};
use mc_core::{Timestamp, wire::InstitutionDocument};
use mc_test_support::TestDb;

/// Searches that read every part of the index.
fn queries() -> Vec<Query> {
    let mut queries = Vec::new();
    for text in ["", "energy", "gestión sostenible", "data analysis", "edited", "7"] {
        queries.push(Query { text: text.to_owned(), limit: 20, ..Query::default() });
        let mut filtered = Query { text: text.to_owned(), limit: 20, ..Query::default() };
        filtered.filters.insert(Facet::Eqf, vec!["6".into(), "7".into()]);
        filtered.filters.insert(Facet::Language, vec!["es".into()]);
        queries.push(filtered);
    }
    queries
}

/// What a search found, but a skill's label: it is the name the first specification to teach
/// it gave, and generated specifications name one skill in two languages.
async fn answers(app: &App) -> Vec<SearchResult> {
    let mut answers = Vec::new();
    for query in queries() {
        let mut result = app.search_catalogue(&query).await.unwrap();
        result.facets.values_mut().flatten().filter(|count| count.value.contains("/skill/")).for_each(|count| {
            count.label.clear();
        });
        answers.push(result);
    }
    answers
}

async fn agree(kept: &App, writer: &App, url: &str, backend: &str, when: &str) {
    let anew = App::open(url).await.unwrap();
    assert_eq!(answers(kept).await, answers(&anew).await, "[{backend}] {when}");
    assert_eq!(kept.catalogue().await.unwrap().len(), anew.catalogue().await.unwrap().len());
    anew.close().await;
    // The writer's own index keeps up too.
    assert_eq!(answers(writer).await, answers(kept).await, "[{backend}] {when}: the writer");
}

#[tokio::test]
async fn an_index_kept_up_to_date_by_another_process_answers_as_one_built_anew() {
    let now = Timestamp::from_unix(1_750_000_000, 0);
    for db in TestDb::all().await {
        let backend = db.backend.to_owned();
        let kept = App::open(&db.url).await.unwrap();
        let writer = App::open(&db.url).await.unwrap();
        let institutions = generate::institutions();
        for institution in &institutions {
            let document = InstitutionDocument {
                id: Some(institution.id.clone()),
                name: Some([("en".to_owned(), institution.name.clone())].into()),
                country: Some(institution.country.clone()),
                legal_identifier: Some(format!("TEST-{}", institution.id)),
                ..Default::default()
            };
            writer.operator().add_institution(&document).await.unwrap();
        }
        let mut rng = generate::Rng::new(2026);
        let document = |rng: &mut generate::Rng, n: usize| {
            let institution = rng.pick(&institutions).id.clone();
            generate::document(rng, n, &institution)
        };
        let first: Vec<_> = (0..300).map(|n| generate::spec(&document(&mut rng, n))).collect();
        writer.operator().store_published(&first, now).await.unwrap();
        assert_eq!(kept.search_catalogue(&Query::default()).await.unwrap().total, 300, "[{backend}] built");

        let mut published: Vec<usize> = (0..300).collect();
        let mut next = 300;
        for round in 0..3 {
            for step in 0..40 {
                match rng.below(3) {
                    0 => {
                        let spec = generate::spec(&document(&mut rng, next));
                        writer.operator().store_published(&[spec], now).await.unwrap();
                        published.push(next);
                        next += 1;
                    }
                    1 => {
                        let n = *rng.pick(&published);
                        let mut edited = document(&mut rng, n);
                        for title in edited.title.iter_mut().flat_map(|title| title.values_mut()) {
                            title.push_str(&format!(" edited in round {round} step {step}"));
                        }
                        writer.operator().update_spec(&edited).await.unwrap();
                    }
                    _ => {
                        let at = rng.below(published.len());
                        let n = published.swap_remove(at);
                        let id = generate::spec(&document(&mut rng, n)).id();
                        writer.operator().withdraw_spec(&id.to_string()).await.unwrap();
                    }
                }
            }
            agree(&kept, &writer, &db.url, &backend, &format!("after round {round}")).await;
            assert_eq!(kept.catalogue().await.unwrap().len(), published.len());
        }

        // The demo's agreements change what is recognised: the index is built anew.
        let demo = Timestamp::parse("2026-11-01T00:00:00Z").unwrap();
        writer.operator().load_demo(demo).await.unwrap();
        agree(&kept, &writer, &db.url, &backend, "after the demo").await;
        writer.operator().load_demo_agreements(demo).await.unwrap();
        agree(&kept, &writer, &db.url, &backend, "after the demo's agreements").await;
        let recognised = kept.search_catalogue(&Query::default()).await.unwrap();
        assert!(!recognised.facets[&Facet::Recognised].is_empty(), "[{backend}] the demo's agreements recognise");

        kept.close().await;
        writer.close().await;
    }
}

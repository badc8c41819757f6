//! Searches of hand-made and generated catalogues: relevance order, stemming in English and
//! Spanish, filters that combine, and facet counts that add up.

use std::collections::BTreeMap;

use mc_core::{SpecId, wire::SpecDocument};

use crate::{Catalogue, Entry, Facet, InstitutionFacts, Query, SearchResult, generate};

fn entry(n: u128, institution: &str, country: &str, document: serde_json::Value) -> Entry {
    let mut document: SpecDocument = serde_json::from_value(document).unwrap();
    document.awarding_bodies = Some(vec![institution.to_owned()]);
    document.workload.get_or_insert_default().hours = Some(100);
    let spec = document.parse(SpecId::from_uuid(uuid::Uuid::from_u128(n))).unwrap();
    let institutions = vec![InstitutionFacts {
        id: institution.to_owned(),
        name: institution.to_uppercase(),
        country: country.to_owned(),
    }];
    Entry { spec, institutions, labels: Vec::new(), published_at: 0, recognised_by: Vec::new() }
}

fn spec(
    languages: &[&str],
    title: serde_json::Value,
    description: serde_json::Value,
    outcome: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "languages": languages,
        "title": title,
        "description": description,
        "learning_outcomes": [{"text": outcome}],
        "workload": {},
        "assessment": {"kind": "summative", "methods": ["project"]},
        "participation": "online",
        "quality_assurance": {"internal": true},
    })
}

fn hand_made() -> Catalogue {
    Catalogue::build([
        entry(
            1,
            "uca",
            "ES",
            spec(
                &["en"],
                serde_json::json!({"en": "Sustainable tourism"}),
                serde_json::json!({"en": "Destinations and their visitors."}),
                serde_json::json!({"en": "Plan visits to a destination"}),
            ),
        ),
        entry(
            2,
            "uca",
            "ES",
            spec(
                &["en"],
                serde_json::json!({"en": "Destination marketing"}),
                serde_json::json!({"en": "Marketing that brings tourism to a region."}),
                serde_json::json!({"en": "Write a marketing plan"}),
            ),
        ),
        entry(
            3,
            "unito",
            "IT",
            spec(
                &["en"],
                serde_json::json!({"en": "Regional planning"}),
                serde_json::json!({"en": "Land use and regional development."}),
                serde_json::json!({"en": "Assess the effects of tourism"}),
            ),
        ),
        entry(
            4,
            "uca",
            "ES",
            spec(
                &["es"],
                serde_json::json!({"es": "Gestión sostenible de destinos turísticos"}),
                serde_json::json!({"es": "Planificación y gestión de los destinos."}),
                serde_json::json!({"es": "Diseñar estrategias sostenibles"}),
            ),
        ),
        entry(
            5,
            "aalto",
            "FI",
            spec(
                &["en"],
                serde_json::json!({"en": "Managing energy projects"}),
                serde_json::json!({"en": "Energy projects from start to finish."}),
                serde_json::json!({"en": "Analyses the costs of an energy project"}),
            ),
        ),
    ])
}

fn search(catalogue: &Catalogue, text: &str, filters: &[(Facet, &str)]) -> SearchResult {
    let mut query = Query { text: text.to_owned(), limit: 1_000_000, ..Query::default() };
    for (facet, value) in filters {
        query.filters.entry(*facet).or_default().push((*value).to_owned());
    }
    catalogue.search(&query)
}

fn ids(result: &SearchResult) -> Vec<u128> {
    result.hits.iter().map(|hit| hit.summary.id.uuid().as_u128()).collect()
}

#[test]
fn a_title_match_ranks_above_an_outcome_match_above_a_description_match() {
    let catalogue = hand_made();
    assert_eq!(ids(&search(&catalogue, "tourism", &[])), [1, 3, 2]);
    assert_eq!(ids(&search(&catalogue, "TOURISM!", &[])), [1, 3, 2], "case and punctuation are ignored");
    assert_eq!(ids(&search(&catalogue, "tourism marketing", &[])), [2], "every word must be found");
    assert_eq!(ids(&search(&catalogue, "tourism nowhere", &[])), Vec::<u128>::new());
}

#[test]
fn english_words_are_found_by_their_stem() {
    let catalogue = hand_made();
    assert_eq!(ids(&search(&catalogue, "planning", &[])), [3, 1, 2], "plan, planning; the shorter text first");
    assert_eq!(ids(&search(&catalogue, "manage project", &[])), [5], "managing, projects");
    assert_eq!(ids(&search(&catalogue, "analysing", &[])), [5], "analyses");
}

#[test]
fn spanish_words_are_found_by_their_stem_and_without_accents() {
    let catalogue = hand_made();
    assert_eq!(ids(&search(&catalogue, "sostenibles", &[])), [4], "sostenible, sostenibles");
    assert_eq!(ids(&search(&catalogue, "destino", &[])), [4], "destinos");
    assert_eq!(ids(&search(&catalogue, "gestion planificacion", &[])), [4], "without accents");
    assert_eq!(ids(&search(&catalogue, "Gestionar", &[])), [4], "gestión, gestionar");
}

#[test]
fn filters_of_one_facet_are_alternatives_and_facets_combine() {
    let catalogue = hand_made();
    assert_eq!(ids(&search(&catalogue, "", &[(Facet::Country, "IT"), (Facet::Country, "FI")])), [5, 3]);
    assert_eq!(ids(&search(&catalogue, "", &[(Facet::Country, "ES"), (Facet::Language, "es")])), [4]);
    assert_eq!(ids(&search(&catalogue, "tourism", &[(Facet::Institution, "uca")])), [1, 2]);
    assert_eq!(search(&catalogue, "", &[(Facet::Country, "XX")]).total, 0, "an unknown value matches nothing");
}

#[test]
fn facet_counts_add_up_on_a_generated_catalogue() {
    let entries = generate::entries(3_000, 7);
    let catalogue = Catalogue::build(entries);
    for text in ["", "energy", "gestión sostenible", "data analysis"] {
        let all = search(&catalogue, text, &[]);
        assert!(all.total > 0, "{text:?} finds something");
        // Every generated specification has exactly one value of these facets.
        for facet in [Facet::Eqf, Facet::Ects, Facet::Isced, Facet::Participation, Facet::Institution, Facet::Country] {
            let sum: usize = all.facets[&facet].iter().map(|count| count.count).sum();
            assert_eq!(sum, all.total, "{text:?}: the {facet:?} counts add up");
        }
        // Choosing a value gives as many results as its count said, and every hit has it.
        for facet in Facet::ALL {
            for count in all.facets[&facet].iter().take(3) {
                let narrowed = search(&catalogue, text, &[(facet, &count.value)]);
                assert_eq!(narrowed.total, count.count, "{text:?}: {facet:?} = {}", count.value);
            }
        }
    }
}

#[test]
fn combined_filters_match_a_plain_count_and_facets_ignore_their_own_filter() {
    let entries = generate::entries(3_000, 11);
    let catalogue = Catalogue::build(entries.clone());
    let filters = [(Facet::Eqf, "6"), (Facet::Eqf, "7"), (Facet::Participation, "online"), (Facet::Language, "es")];
    let result = search(&catalogue, "", &filters);
    let expected = entries
        .iter()
        .filter(|entry| {
            let spec = &entry.spec;
            matches!(spec.eqf_level().map(|level| level.get()), Some(6 | 7))
                && spec.participation().as_str() == "online"
                && spec.languages().iter().any(|language| language.as_str() == "es")
        })
        .count();
    assert_eq!(result.total, expected);
    assert!(expected > 50, "the filters leave a fair sample ({expected})");
    // The EQF facet counts every level among the specifications matching the other filters.
    let eqf: BTreeMap<_, _> =
        result.facets[&Facet::Eqf].iter().map(|count| (count.value.as_str(), count.count)).collect();
    let without_eqf = search(&catalogue, "", &filters[2..]);
    assert_eq!(eqf.values().sum::<usize>(), without_eqf.total);
    assert_eq!(eqf["6"] + eqf["7"], result.total);

    let mut query = Query { ects_min: Some(4.0), ects_max: Some(6.0), limit: 10, ..Query::default() };
    let in_range = catalogue.search(&query);
    let expected =
        entries.iter().filter(|entry| entry.spec.workload().ects().is_some_and(|e| (4.0..=6.0).contains(&e))).count();
    assert_eq!(in_range.total, expected);
    assert_eq!(in_range.hits.len(), 10);
    query.offset = expected - 3;
    assert_eq!(catalogue.search(&query).hits.len(), 3, "the last page is short");
}

#[test]
fn pages_follow_the_relevance_order() {
    let catalogue = Catalogue::build(generate::entries(2_000, 3));
    let all = search(&catalogue, "sustainable strategies", &[]);
    assert!(all.hits.windows(2).all(|pair| pair[0].score >= pair[1].score));
    let page =
        catalogue.search(&Query { text: "sustainable strategies".into(), offset: 20, limit: 10, ..Query::default() });
    assert_eq!(page.hits, all.hits[20..30]);
    assert_eq!(page.total, all.total);
}

/// Queries that between them read every part of the index: words in both languages, filters
/// of every facet, ECTS ranges, every order, pages.
fn probing_queries(catalogue: &Catalogue) -> Vec<Query> {
    let mut queries = Vec::new();
    let everything = catalogue.search(&Query { limit: 0, ..Query::default() });
    for text in ["", "energy", "gestión sostenible", "data analysis", "teachers", "(17)", "nowhere"] {
        for sort in crate::Sort::ALL {
            queries.push(Query { text: text.to_owned(), sort, limit: 15, ..Query::default() });
        }
        queries.push(Query {
            text: text.to_owned(),
            sort: crate::Sort::Title,
            language: mc_core::LanguageTag::parse("es").ok(),
            offset: 5,
            limit: 10,
            ..Query::default()
        });
        for (facet, counts) in &everything.facets {
            for count in counts.iter().take(2) {
                let mut query = Query { text: text.to_owned(), limit: 10, ..Query::default() };
                query.filters.insert(*facet, vec![count.value.clone()]);
                query.ects_min = (text.is_empty()).then_some(3.0);
                queries.push(query);
            }
        }
    }
    queries
}

#[test]
fn an_index_kept_up_to_date_answers_as_one_built_anew() {
    let mut rng = generate::Rng::new(5);
    let institutions = generate::institutions();
    let new_entry = |rng: &mut generate::Rng, n: usize| {
        let institution = rng.pick(&institutions).clone();
        let document = generate::document(rng, n, &institution.id);
        let spec = generate::spec(&document);
        Entry {
            spec,
            institutions: vec![institution],
            labels: Vec::new(),
            published_at: n as i64,
            recognised_by: vec![],
        }
    };
    let mut live: BTreeMap<SpecId, Entry> = BTreeMap::new();
    let first: Vec<Entry> = (0..1_500).map(|n| new_entry(&mut rng, n)).collect();
    for entry in &first {
        live.insert(entry.spec.id(), entry.clone());
    }
    let mut kept = Catalogue::build(first);
    // More than the dead documents that make the index compact itself, in three rounds.
    for round in 0..3 {
        for step in 0..400 {
            let ids: Vec<SpecId> = live.keys().copied().collect();
            match rng.below(3) {
                // Published anew.
                0 => {
                    let entry = new_entry(&mut rng, 10_000 + round * 1_000 + step);
                    live.insert(entry.spec.id(), entry.clone());
                    kept.upsert(entry);
                }
                // Edited: the same id with another text and other facts.
                1 => {
                    let id = *rng.pick(&ids);
                    let n = (id.uuid().as_u128() & 0xffff_ffff) as usize;
                    let mut entry = new_entry(&mut rng, n);
                    entry.published_at = live[&id].published_at;
                    assert_eq!(entry.spec.id(), id);
                    live.insert(id, entry.clone());
                    kept.upsert(entry);
                }
                // Withdrawn.
                _ => {
                    let id = *rng.pick(&ids);
                    live.remove(&id);
                    assert!(kept.remove(id));
                    assert!(!kept.remove(id), "a specification is withdrawn once");
                    assert!(kept.get(id).is_none());
                }
            }
        }
        let anew = Catalogue::build(live.values().cloned());
        assert_eq!(kept.len(), anew.len());
        for query in probing_queries(&anew) {
            let (mut kept, mut anew) = (kept.search(&query), anew.search(&query));
            // A skill's label is the name the first specification to teach it gave; here the
            // same skill has names in two languages.
            for result in [&mut kept, &mut anew] {
                result.facets.get_mut(&Facet::Skill).unwrap().iter_mut().for_each(|count| count.label.clear());
            }
            assert_eq!(kept.total, anew.total, "round {round}: {query:?}");
            let hits = |result: &SearchResult| -> Vec<(u128, f32)> {
                result.hits.iter().map(|hit| (hit.summary.id.uuid().as_u128(), hit.score)).collect()
            };
            assert_eq!(hits(&kept), hits(&anew), "round {round}: {query:?}");
            assert_eq!(kept, anew, "round {round}: {query:?}");
        }
    }
    assert!(kept.docs.len() < 1_500 + 1_200, "the index dropped its dead documents");
}

#[test]
fn an_entry_given_twice_to_the_build_is_indexed_once_as_last_given() {
    let mut entries = generate::entries(3, 1);
    let mut again = entries[0].clone();
    again.published_at = 99;
    entries.push(again);
    let catalogue = Catalogue::build(entries);
    assert_eq!(catalogue.len(), 3);
    let all = search(&catalogue, "", &[]);
    assert_eq!(all.total, 3);
    assert_eq!(
        catalogue
            .get(all.hits.iter().find(|hit| hit.summary.published_at == 99).unwrap().summary.id)
            .unwrap()
            .published_at,
        99
    );
}

#[test]
fn an_awarding_body_is_kept_once_and_a_renamed_one_shows_its_new_name() {
    let mut catalogue = hand_made();
    let id = |n: u128| SpecId::from_uuid(uuid::Uuid::from_u128(n));
    let first = &catalogue.get(id(1)).unwrap().institutions[0];
    let second = &catalogue.get(id(2)).unwrap().institutions[0];
    assert!(std::sync::Arc::ptr_eq(first, second), "{first:?} and {second:?} are two copies");

    let mut renamed = entry(
        2,
        "uca",
        "ES",
        spec(
            &["en"],
            serde_json::json!({"en": "Destination marketing"}),
            serde_json::json!({"en": "Brands."}),
            serde_json::json!({"en": "Build a brand"}),
        ),
    );
    renamed.institutions[0].name = "Universidad de Cádiz".into();
    catalogue.upsert(renamed);
    assert_eq!(catalogue.get(id(2)).unwrap().institutions[0].name, "Universidad de Cádiz");
    assert_eq!(catalogue.get(id(1)).unwrap().institutions[0].name, "UCA");
}

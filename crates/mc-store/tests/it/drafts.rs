//! Specification drafts (saved as written, replaced by their institution only, listed latest
//! first, and removed) and the skills a registrar picks for an outcome.

use mc_store::{SkillRecord, SpecDraftRecord, Store, StoreError};

use crate::fixtures::setup;

fn draft(id: &str, institution: &str, document: &str, at: &str) -> SpecDraftRecord {
    SpecDraftRecord {
        id: id.into(),
        institution_id: institution.into(),
        document: document.into(),
        updated_at: at.into(),
    }
}

pub(crate) async fn drafts_are_kept_replaced_by_their_institution_and_removed(store: &Store) {
    setup(store).await;
    let first = draft("d1", "uca", r#"{"title":{"en":""}}"#, "2026-12-01T10:00:00Z");
    let second = draft("d2", "uca", r#"{"title":{"en":"Half"}}"#, "2026-12-01T11:00:00Z");
    let theirs = draft("d3", "unito", "{}", "2026-12-01T12:00:00Z");
    for record in [&first, &second, &theirs] {
        store.db().await.unwrap().put_spec_draft(record).await.unwrap();
    }
    assert_eq!(store.db().await.unwrap().spec_drafts_of("uca").await.unwrap(), vec![second.clone(), first.clone()]);

    // Saved again, it is replaced; another institution cannot overwrite it.
    let edited = draft("d1", "uca", r#"{"title":{"en":"Done"}}"#, "2026-12-01T13:00:00Z");
    store.db().await.unwrap().put_spec_draft(&edited).await.unwrap();
    assert_eq!(store.db().await.unwrap().spec_draft("d1").await.unwrap(), Some(edited.clone()));
    let hijack = draft("d1", "unito", "{}", "2026-12-01T14:00:00Z");
    let refused = store.db().await.unwrap().put_spec_draft(&hijack).await;
    assert!(matches!(refused, Err(StoreError::Conflict { .. })), "{refused:?}");
    assert_eq!(store.db().await.unwrap().spec_draft("d1").await.unwrap(), Some(edited.clone()));
    let unknown = store.db().await.unwrap().put_spec_draft(&draft("d4", "nowhere", "{}", "x")).await;
    assert!(matches!(unknown, Err(StoreError::MissingReference { .. })), "{unknown:?}");

    store.db().await.unwrap().delete_spec_draft("d1", "unito").await.unwrap();
    assert!(store.db().await.unwrap().spec_draft("d1").await.unwrap().is_some(), "not another institution's");
    assert_eq!(store.db().await.unwrap().spec_draft_count("uca").await.unwrap(), 2);
    store.db().await.unwrap().delete_spec_draft("d1", "uca").await.unwrap();
    store.db().await.unwrap().delete_spec_draft("d1", "uca").await.unwrap();
    assert_eq!(store.db().await.unwrap().spec_draft("d1").await.unwrap(), None);
    assert_eq!(store.db().await.unwrap().spec_drafts_of("uca").await.unwrap(), vec![second]);
    assert_eq!(store.db().await.unwrap().spec_drafts_of("unito").await.unwrap(), vec![theirs]);
}

pub(crate) async fn skills_are_found_by_a_word_of_their_label(store: &Store) {
    let skill = |uri: &str, language: &str, label: &str| SkillRecord {
        uri: format!("http://data.europa.eu/esco/skill/{uri}"),
        language: language.into(),
        label: label.into(),
    };
    let stats = skill("s1", "en", "apply statistical analysis techniques");
    let stats_es = skill("s1", "es", "aplicar técnicas de análisis estadístico");
    let spreadsheets = skill("s2", "en", "use spreadsheets software");
    let odd = skill("s3", "en", "100% effort_in teams");
    store
        .db()
        .await
        .unwrap()
        .put_skills(&[stats.clone(), stats_es.clone(), spreadsheets.clone(), odd.clone()])
        .await
        .unwrap();
    let find = |word: &'static str, language: &'static str| async move {
        store.db().await.unwrap().find_skills(word, language, 10).await.unwrap()
    };
    assert_eq!(find("statistical", "en").await, vec![stats.clone()]);
    assert_eq!(find("estadístico", "es").await, vec![stats_es.clone()], "in the language asked");
    assert_eq!(find("s", "en").await, vec![odd.clone(), spreadsheets.clone(), stats.clone()], "shortest label first");
    assert_eq!(find("0%", "en").await, vec![odd.clone()], "wildcards as themselves");
    assert_eq!(find("_", "en").await, vec![odd.clone()]);
    assert_eq!(find("nothing", "en").await, vec![]);
    // Imported again, a label is replaced, not doubled.
    let renamed = skill("s2", "en", "use spreadsheet software");
    store.db().await.unwrap().put_skills(std::slice::from_ref(&renamed)).await.unwrap();
    assert_eq!(find("spreadsheet", "en").await, vec![renamed]);
    assert_eq!(store.db().await.unwrap().skill_count().await.unwrap(), 4);
}

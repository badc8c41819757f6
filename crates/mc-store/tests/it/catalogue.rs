//! Publication and the change counters: `catalogue` moves when a specification is published,
//! withdrawn or edited while published, `trust` when the trusted-issuer list changes; pages of
//! published specifications, and a damaged one among them.

use mc_store::{Counter, PublishedRow, Store, StoreError};
use mc_test_support::{spec, spec_id};
use sqlx::Connection;

use crate::fixtures::{setup, trusted_local};

pub(crate) async fn change_counters_follow_publication(store: &Store) {
    setup(store).await;
    let catalogue = || async { store.db().await.unwrap().counter(Counter::Catalogue).await.unwrap() };
    let trust = || async { store.db().await.unwrap().counter(Counter::Trust).await.unwrap() };
    assert_eq!((catalogue().await, trust().await), (1, 1), "both start at 1");
    assert_eq!(store.db().await.unwrap().published_at(spec_id(1)).await.unwrap(), Some(None), "a draft");
    assert_eq!(store.db().await.unwrap().published_at(spec_id(9)).await.unwrap(), None, "not stored");
    assert_eq!(store.db().await.unwrap().published_specs().await.unwrap(), vec![]);
    assert_eq!(store.db().await.unwrap().published_spec(spec_id(1)).await.unwrap(), None, "a draft is not given");

    // Editing a draft changes nothing the catalogue shows.
    assert!(store.db().await.unwrap().update_spec(&spec(spec_id(1), "uca")).await.unwrap());
    assert_eq!(catalogue().await, 1);

    // Publishing (at a time beyond 32 bits) does.
    assert!(store.db().await.unwrap().set_published(spec_id(3), Some(5_000_000_000)).await.unwrap());
    assert_eq!(catalogue().await, 2);
    assert!(store.db().await.unwrap().set_published(spec_id(1), Some(1_750_000_000)).await.unwrap());
    assert_eq!(catalogue().await, 3);
    assert_eq!(store.db().await.unwrap().published_at(spec_id(1)).await.unwrap(), Some(Some(1_750_000_000)));
    assert_eq!(store.db().await.unwrap().published_spec(spec_id(1)).await.unwrap(), Some(spec(spec_id(1), "uca")));
    // Published specifications by id, with the time.
    assert_eq!(
        store.db().await.unwrap().published_specs().await.unwrap(),
        vec![(spec(spec_id(1), "uca"), 1_750_000_000), (spec(spec_id(3), "unito"), 5_000_000_000)]
    );

    // Editing a published specification does too, and it stays published.
    assert!(store.db().await.unwrap().update_spec(&spec(spec_id(1), "uca")).await.unwrap());
    assert_eq!(catalogue().await, 4);
    assert_eq!(store.db().await.unwrap().published_at(spec_id(1)).await.unwrap(), Some(Some(1_750_000_000)));

    // Withdrawing does.
    assert!(store.db().await.unwrap().set_published(spec_id(1), None).await.unwrap());
    assert_eq!(catalogue().await, 5);
    assert_eq!(store.db().await.unwrap().published_at(spec_id(1)).await.unwrap(), Some(None));
    assert_eq!(
        store.db().await.unwrap().published_specs().await.unwrap(),
        vec![(spec(spec_id(3), "unito"), 5_000_000_000)]
    );

    // A specification that is not stored is neither published nor counted.
    assert!(!store.db().await.unwrap().set_published(spec_id(9), Some(1_750_000_000)).await.unwrap());
    assert!(!store.db().await.unwrap().update_spec(&spec(spec_id(9), "uca")).await.unwrap());
    assert_eq!(catalogue().await, 5);
    assert_eq!(store.db().await.unwrap().published_at(spec_id(9)).await.unwrap(), None);

    // The trusted-issuer list has its own counter.
    assert_eq!(trust().await, 1);
    store.db().await.unwrap().put_trusted_issuer(&trusted_local("uca")).await.unwrap();
    assert_eq!((catalogue().await, trust().await), (5, 2));
}

pub(crate) async fn counters_move_only_when_the_transaction_commits(store: &Store) {
    setup(store).await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.db().set_published(spec_id(1), Some(1_750_000_000)).await.unwrap());
    assert_eq!(tx.db().counter(Counter::Catalogue).await.unwrap(), 2, "the transaction sees its own change");
    tx.rollback().await.unwrap();
    assert_eq!(store.db().await.unwrap().counter(Counter::Catalogue).await.unwrap(), 1);
    assert_eq!(store.db().await.unwrap().published_at(spec_id(1)).await.unwrap(), Some(None));
}

pub(crate) async fn catalogue_changes_name_their_specification_until_a_gap(store: &Store) {
    setup(store).await;
    let db = || async { store.db().await.unwrap() };
    let version = db().await.counter(Counter::Catalogue).await.unwrap();
    assert_eq!(db().await.catalogue_changes(version, version).await.unwrap(), Some(vec![]), "nothing changed");

    db().await.set_published(spec_id(1), Some(1_750_000_000)).await.unwrap();
    db().await.set_published(spec_id(3), Some(1_750_000_000)).await.unwrap();
    db().await.update_spec(&spec(spec_id(1), "uca")).await.unwrap();
    // A draft edited changes nothing the catalogue shows, and is not noted.
    db().await.update_spec(&spec(spec_id(2), "uca")).await.unwrap();
    let now = db().await.counter(Counter::Catalogue).await.unwrap();
    assert_eq!(now, version + 3);
    assert_eq!(
        db().await.catalogue_changes(version, now).await.unwrap(),
        Some(vec![spec_id(1), spec_id(3)]),
        "each specification once, in the order first changed"
    );
    assert_eq!(db().await.catalogue_changes(version + 2, now).await.unwrap(), Some(vec![spec_id(1)]));
    assert_eq!(db().await.catalogue_changes(version, version + 1).await.unwrap(), Some(vec![spec_id(1)]));

    // A change about no one specification leaves a gap: only building anew catches up over it.
    db().await.touch_catalogue().await.unwrap();
    db().await.set_published(spec_id(1), None).await.unwrap();
    let later = db().await.counter(Counter::Catalogue).await.unwrap();
    assert_eq!(later, now + 2);
    assert_eq!(db().await.catalogue_changes(version, later).await.unwrap(), None);
    assert_eq!(db().await.catalogue_changes(now, later).await.unwrap(), None);
    assert_eq!(db().await.catalogue_changes(now + 1, later).await.unwrap(), Some(vec![spec_id(1)]));

    // A change rolled back is not noted.
    let mut tx = store.begin().await.unwrap();
    tx.db().set_published(spec_id(3), None).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(db().await.counter(Counter::Catalogue).await.unwrap(), later);
    assert_eq!(db().await.catalogue_changes(later, later + 1).await.unwrap(), None, "no change 'after' the counter");
}

pub(crate) async fn published_specifications_are_read_a_page_at_a_time(store: &Store) {
    setup(store).await;
    let db = || async { store.db().await.unwrap() };
    let first = db().await.published_specs_after(None).await.unwrap();
    assert!(first.is_empty());
    db().await.set_published(spec_id(3), Some(3)).await.unwrap();
    db().await.set_published(spec_id(1), Some(1)).await.unwrap();
    let page = db().await.published_specs_after(None).await.unwrap();
    assert_eq!(page, vec![(spec(spec_id(1), "uca"), 1), (spec(spec_id(3), "unito"), 3)], "by id");
    assert_eq!(db().await.published_specs_after(Some(spec_id(1))).await.unwrap(), vec![(spec(spec_id(3), "unito"), 3)]);
    assert_eq!(db().await.published_specs_after(Some(spec_id(3))).await.unwrap(), vec![]);
    assert_eq!(
        db().await.published_specs_among(&[spec_id(3), spec_id(2), spec_id(9)]).await.unwrap(),
        vec![(spec(spec_id(3), "unito"), 3)],
        "a draft and one not stored are not published"
    );
}

/// A page of published rows is read without parsing them; a row whose document was damaged is
/// reported, naming the specification, when it is parsed, and the parsed page refuses it too.
#[tokio::test]
async fn a_damaged_published_specification_is_reported_when_parsed() {
    for db in mc_test_support::TestDb::all().await {
        let store = Store::open(&db.url).await.unwrap_or_else(|err| panic!("{}: {err}", db.backend));
        setup(&store).await;
        store.db().await.unwrap().set_published(spec_id(1), Some(1)).await.unwrap();
        store.db().await.unwrap().set_published(spec_id(3), Some(3)).await.unwrap();
        let rows = store.db().await.unwrap().published_rows_after(None).await.unwrap();
        assert_eq!(rows.iter().map(PublishedRow::id).collect::<Vec<_>>(), [spec_id(1), spec_id(3)], "[{}]", db.backend);
        let parsed: Vec<_> = rows.into_iter().map(|row| row.parse().unwrap()).collect();
        assert_eq!(parsed, [(spec(spec_id(1), "uca"), 1), (spec(spec_id(3), "unito"), 3)], "[{}]", db.backend);

        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        for damage in ["{\"id\":", "{}", "[1, 2]"] {
            sqlx::query("UPDATE specs SET document = $1 WHERE id = $2")
                .bind(damage)
                .bind(spec_id(3).to_string())
                .execute(&mut conn)
                .await
                .unwrap();
            let rows = store.db().await.unwrap().published_rows_after(None).await.unwrap();
            assert_eq!(rows.len(), 2, "[{}] {damage}: reading does not parse", db.backend);
            let results: Vec<_> = rows.into_iter().map(PublishedRow::parse).collect();
            assert!(results[0].is_ok(), "[{}] {damage}: the other row", db.backend);
            let err = results[1].as_ref().unwrap_err();
            assert!(matches!(err, StoreError::Corrupt { .. }), "[{}] {damage}: {err}", db.backend);
            assert!(err.to_string().contains(&spec_id(3).to_string()), "[{}] {damage}: {err}", db.backend);
            let err = store.db().await.unwrap().published_specs_after(None).await.unwrap_err();
            assert!(matches!(err, StoreError::Corrupt { .. }), "[{}] {damage}: {err}", db.backend);
        }
    }
}

//! The trusted-issuer list format: the simple form and microcred's export both read, each
//! wrong field refused with its path, and the export written back byte for byte.

use mc_core::Timestamp;
use mc_vc::verify::{TrustList, TrustListEntry, TrustedIssuer, TrustedIssuers};

/// A list as `microcred trust export` writes it (pretty JSON): one issuer still trusted, one
/// that left.
const EXPORT: &str = r#"{
  "network": "https://microcred.uca.example",
  "issuers": [
    {
      "id": "uca",
      "name": "Universidad de Cádiz",
      "country": "ES",
      "dids": [
        "did:web:microcred.uca.example:institutions:uca",
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
      ],
      "seal_certificates": [],
      "trusted_from": "2025-01-01T00:00:00Z",
      "trusted_until": null
    },
    {
      "id": "valdeoliva",
      "name": "Universidad de Valdeoliva",
      "country": "PT",
      "dids": [],
      "seal_certificates": [
        "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
      ],
      "trusted_from": "2025-01-01T00:00:00Z",
      "trusted_until": "2025-12-31T00:00:00Z"
    }
  ]
}"#;

fn at(raw: &str) -> Timestamp {
    Timestamp::parse(raw).unwrap()
}

#[test]
fn the_simple_form_reads_with_names_and_dids_defaulting_to_the_id() {
    let text =
        r#"{"issuers": [{"id": "did:web:uca.example", "name": "UCA"}, {"id": "https://example.com/issuers/1"}]}"#;
    let list = TrustList::parse(text).unwrap();
    assert_eq!(list.network, None);
    assert_eq!(
        list.issuers[1],
        TrustListEntry {
            id: "https://example.com/issuers/1".to_owned(),
            name: None,
            country: None,
            dids: None,
            seal_certificates: Vec::new(),
            trusted_from: None,
            trusted_until: None,
        }
    );

    let trusted = TrustedIssuers::from_list(&list);
    assert_eq!(trusted.len(), 2);
    assert_eq!(trusted.name_of("did:web:uca.example"), Some("UCA"));
    assert_eq!(trusted.name_of("https://example.com/issuers/1"), Some("https://example.com/issuers/1"));
    assert_eq!(trusted.entry("did:web:uca.example").unwrap().until, None);
}

#[test]
fn the_export_form_reads_with_every_did_of_every_entry() {
    let list = TrustList::parse(EXPORT).unwrap();
    assert_eq!(list.network.as_deref(), Some("https://microcred.uca.example"));
    assert_eq!(list.issuers.len(), 2);
    assert_eq!(list.issuers[0].country.as_deref(), Some("ES"));
    assert_eq!(list.issuers[0].trusted_from.as_deref(), Some("2025-01-01T00:00:00Z"));
    assert_eq!(list.issuers[1].seal_certificates.len(), 1);
    assert_eq!(list.issuers[1].dids, Some(Vec::new()));

    // An entry's handle is not a DID when it lists its DIDs; an entry listing none adds none.
    let trusted = TrustedIssuers::from_json(EXPORT).unwrap();
    assert_eq!(trusted.len(), 2);
    assert_eq!(trusted.entry("uca"), None);
    assert_eq!(
        trusted.entry("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"),
        Some(&TrustedIssuer {
            id: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp".to_owned(),
            name: "Universidad de Cádiz".to_owned(),
            until: None,
        })
    );
}

#[test]
fn an_issuer_that_left_keeps_its_date() {
    let text = r#"{"issuers": [{"id": "did:web:gone.example", "trusted_until": "2025-12-31T00:00:00Z"}]}"#;
    let trusted = TrustedIssuers::from_json(text).unwrap();
    assert_eq!(trusted.entry("did:web:gone.example").unwrap().until, Some(at("2025-12-31T00:00:00Z")));
}

#[test]
fn a_wrong_date_is_refused_with_its_path_and_every_one_is_reported() {
    let text = r#"{"issuers": [
        {"id": "a"}, {"id": "b"}, {"id": "c", "trusted_from": "2025-01-01"},
        {"id": "d", "trusted_until": "yesterday"}
    ]}"#;
    let expected = format!(
        "issuers[2].trusted_from: {}; issuers[3].trusted_until: {}",
        Timestamp::parse("2025-01-01").unwrap_err(),
        Timestamp::parse("yesterday").unwrap_err()
    );
    assert_eq!(TrustList::parse(text).unwrap_err(), expected);
    assert_eq!(TrustedIssuers::from_json(text).unwrap_err(), expected);

    let not_a_string = r#"{"issuers": [{"id": "a", "trusted_until": 20251231}]}"#;
    assert_eq!(
        TrustList::parse(not_a_string).unwrap_err(),
        "issuers[0].trusted_until: invalid type: integer `20251231`, expected a string at line 1 column 50"
    );
}

#[test]
fn an_entry_without_id_is_refused_with_its_path() {
    let text = r#"{"issuers": [{"id": "a"}, {"name": "No id"}]}"#;
    assert_eq!(TrustList::parse(text).unwrap_err(), "issuers[1]: missing field `id` at line 1 column 43");
    assert_eq!(TrustedIssuers::from_json(text).unwrap_err(), "issuers[1]: missing field `id` at line 1 column 43");
}

#[test]
fn fields_of_the_wrong_shape_are_refused_with_their_path() {
    let cases = [
        (
            r#"{"issuers": [{"id": "a", "dids": "did:web:a.example"}]}"#,
            "issuers[0].dids: invalid type: string \"did:web:a.example\", expected a sequence at line 1 column 52",
        ),
        (
            r#"{"issuers": [{"id": "a", "dids": [7]}]}"#,
            "issuers[0].dids[0]: invalid type: integer `7`, expected a string at line 1 column 35",
        ),
        // Neither "no DIDs" nor "the id": a null list of DIDs is refused.
        (
            r#"{"issuers": [{"id": "a", "dids": null}]}"#,
            "issuers[0].dids: invalid type: null, expected a sequence at line 1 column 37",
        ),
        (r#"{"issuers": {}}"#, "issuers: invalid type: map, expected a sequence at line 1 column 12"),
        // `microcred verify --trust` shows this for a file that is not a list.
        ("{}", "missing field `issuers` at line 1 column 2; expected {\"issuers\": [...]}"),
        ("[]", "invalid type: sequence, expected a JSON object at line 1 column 0; expected {\"issuers\": [...]}"),
        // Neither the list nor an entry is read from an array, its fields by position.
        (
            r#"["https://net.example", [{"id": "a"}]]"#,
            "invalid type: sequence, expected a JSON object at line 1 column 0; expected {\"issuers\": [...]}",
        ),
        (
            r#"{"issuers": [["did:web:a.example", "A"]]}"#,
            "issuers[0]: invalid type: sequence, expected a JSON object at line 1 column 13",
        ),
        (r#"{"issuers": []"#, "not JSON: EOF while parsing an object at line 1 column 14"),
        (r#"{"issuers": []} x"#, "not JSON: trailing characters at line 1 column 17"),
    ];
    let wrong: Vec<(&str, String)> = cases
        .into_iter()
        .filter_map(|(text, expected)| {
            let found = TrustList::parse(text).unwrap_err();
            (found != expected).then_some((text, found))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn fields_this_version_does_not_know_are_ignored() {
    let text = r#"{"version": 2, "issuers": [{"id": "did:web:a.example", "accreditation": {"status": "accredited"}}]}"#;
    let list = TrustList::parse(text).unwrap();
    assert_eq!(list.issuers[0].id, "did:web:a.example");
}

#[test]
fn the_export_round_trips_byte_for_byte() {
    let list = TrustList::parse(EXPORT).unwrap();
    let written = serde_json::to_string_pretty(&list).unwrap();
    assert_eq!(written, EXPORT);
    assert_eq!(TrustList::parse(&written).unwrap(), list);

    // A list made in code, as the export makes it, reads back as itself.
    let made = TrustList {
        network: Some("https://microcred.example".to_owned()),
        issuers: vec![TrustListEntry {
            id: "uca".to_owned(),
            name: Some("UCA".to_owned()),
            country: Some("ES".to_owned()),
            dids: Some(vec!["did:web:uca.example".to_owned()]),
            seal_certificates: Vec::new(),
            trusted_from: Some("2025-01-01T00:00:00Z".to_owned()),
            trusted_until: None,
        }],
    };
    let written = serde_json::to_string(&made).unwrap();
    assert_eq!(
        written,
        r#"{"network":"https://microcred.example","issuers":[{"id":"uca","name":"UCA","country":"ES","dids":["did:web:uca.example"],"seal_certificates":[],"trusted_from":"2025-01-01T00:00:00Z","trusted_until":null}]}"#
    );
    assert_eq!(TrustList::parse(&written).unwrap(), made);
}

#[test]
fn an_entry_built_by_hand_with_an_unreadable_date_is_not_trusted() {
    let list = TrustList {
        network: None,
        issuers: vec![TrustListEntry {
            id: "did:web:a.example".to_owned(),
            name: None,
            country: None,
            dids: None,
            seal_certificates: Vec::new(),
            trusted_from: None,
            trusted_until: Some("someday".to_owned()),
        }],
    };
    assert!(TrustedIssuers::from_list(&list).is_empty());
}

//! Checks that the code tables can be searched and hold the codes others rely on.

use super::{
    countries::{ALPHA3, COUNTRIES},
    countries_es::COUNTRIES_ES,
    isced::ISCED_F,
    isced_es::ISCED_F_ES,
    languages::LANGUAGES,
    languages_es::LANGUAGES_ES,
};

#[test]
fn every_code_has_its_spanish_name() {
    for (name, english, spanish) in
        [("languages", LANGUAGES, LANGUAGES_ES), ("countries", COUNTRIES, COUNTRIES_ES), ("isced", ISCED_F, ISCED_F_ES)]
    {
        let codes = |table: &[(&str, &str)]| table.iter().map(|(code, _)| code.to_string()).collect::<Vec<_>>();
        assert_eq!(codes(english), codes(spanish), "{name}: the same codes in the same order");
        assert!(spanish.iter().all(|(_, name)| !name.is_empty()), "{name}: every Spanish name is given");
    }
    assert_eq!(super::language_name_in("fi", "es"), Some("Finés"));
    assert_eq!(super::language_name_in("fi", "en"), Some("Finnish"));
    assert_eq!(super::country_name_in("ES", "es"), Some("España"));
    assert_eq!(super::country_name_in("ES", "fr"), Some("Spain"), "English when there is no table");
    assert_eq!(super::isced_f_name_in("02", "es"), Some("Artes y humanidades"));
    assert_eq!(super::isced_f_name_in("0699", "es"), None);
}

#[test]
fn tables_are_sorted_without_repeats() {
    for (name, table) in [("languages", LANGUAGES), ("countries", COUNTRIES), ("alpha-3", ALPHA3), ("isced", ISCED_F)] {
        for pair in table.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{name}: {:?} is not before {:?}", pair[0].0, pair[1].0);
        }
    }
}

#[test]
fn known_codes_are_found() {
    assert_eq!(super::language_name("es"), Some("Spanish"));
    assert_eq!(super::country_name("FI"), Some("Finland"));
    assert_eq!(super::isced_f_name("0613"), Some("Software and applications development and analysis"));
    assert_eq!(super::isced_f_name("06"), Some("Information and Communication Technologies (ICTs)"));
    assert_eq!(super::language_name("xx"), None);
    assert_eq!(super::country_name("EL"), None);
    assert_eq!(super::country_alpha3("GR"), Some("GRC"));
    assert!(
        COUNTRIES.iter().all(|(code, _)| super::country_alpha3(code).is_some()),
        "every country has an alpha-3 code"
    );
    assert_eq!(super::isced_f_name("0699"), None);
}

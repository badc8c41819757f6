//! Checks that the code tables can be searched and hold the codes others rely on.

use super::{
    countries::{ALPHA3, COUNTRIES},
    isced::ISCED_F,
    languages::LANGUAGES,
};

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

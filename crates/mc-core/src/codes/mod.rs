//! Reference code lists: ISO 639-1 languages, ISO 3166-1 countries and ISCED-F 2013 fields,
//! with their names in English and in Spanish.

mod countries;
mod countries_es;
mod isced;
mod isced_es;
mod languages;
mod languages_es;

#[cfg(test)]
mod tests;

/// Looks `code` up in a table sorted by code.
fn lookup(table: &'static [(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    table.binary_search_by(|(candidate, _)| (*candidate).cmp(code)).ok().map(|idx| table[idx].1)
}

/// The table of names in `lang` (a language code such as `es`): Spanish for `es`, else English.
fn names_in(
    lang: &str,
    english: &'static [(&'static str, &'static str)],
    spanish: &'static [(&'static str, &'static str)],
) -> &'static [(&'static str, &'static str)] {
    if lang == "es" { spanish } else { english }
}

/// The name of an ISO 639-1 language code in `lang` (Spanish for `es`, else English), such as
/// `fi` → Finés.
pub fn language_name_in(code: &str, lang: &str) -> Option<&'static str> {
    lookup(names_in(lang, languages::LANGUAGES, languages_es::LANGUAGES_ES), code)
}

/// The name of an ISO 3166-1 alpha-2 country code in `lang` (Spanish for `es`, else English),
/// such as `FI` → Finlandia.
pub fn country_name_in(code: &str, lang: &str) -> Option<&'static str> {
    lookup(names_in(lang, countries::COUNTRIES, countries_es::COUNTRIES_ES), code)
}

/// The name of an ISCED-F 2013 field code in `lang` (Spanish for `es`, else English), such as
/// `0542` → Estadística.
pub fn isced_f_name_in(code: &str, lang: &str) -> Option<&'static str> {
    lookup(names_in(lang, isced::ISCED_F, isced_es::ISCED_F_ES), code)
}

/// The English name of an ISO 639-1 language code (lowercase), such as `es` → Spanish.
pub fn language_name(code: &str) -> Option<&'static str> {
    lookup(languages::LANGUAGES, code)
}

/// The English name of an ISO 3166-1 alpha-2 country code (uppercase), such as `FI` → Finland.
pub fn country_name(code: &str) -> Option<&'static str> {
    lookup(countries::COUNTRIES, code)
}

/// The ISO 3166-1 alpha-3 code of an alpha-2 code (uppercase), such as `FI` → `FIN`.
pub(crate) fn country_alpha3(code: &str) -> Option<&'static str> {
    lookup(countries::ALPHA3, code)
}

/// The English name of an ISCED-F 2013 field code, such as `0613`.
pub fn isced_f_name(code: &str) -> Option<&'static str> {
    lookup(isced::ISCED_F, code)
}

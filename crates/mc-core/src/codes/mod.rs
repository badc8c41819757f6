//! Reference code lists: ISO 639-1 languages, ISO 3166-1 countries and ISCED-F 2013 fields.

mod countries;
mod isced;
mod languages;

#[cfg(test)]
mod tests;

/// Looks `code` up in a table sorted by code.
fn lookup(table: &'static [(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    table.binary_search_by(|(candidate, _)| (*candidate).cmp(code)).ok().map(|idx| table[idx].1)
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

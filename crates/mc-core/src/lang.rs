//! Language tags and multilingual text.

use std::fmt;

use crate::{codes, error::ValueError, values::PlainText};

/// A language tag: an ISO 639-1 language, optionally with a region (`en`, `es`, `pt-BR`,
/// `es-419`). Stored in canonical case: lowercase language, uppercase region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LanguageTag(String);

impl LanguageTag {
    /// Parses a tag, accepting any letter case.
    pub fn parse(raw: &str) -> Result<LanguageTag, ValueError> {
        let unknown = || {
            ValueError::new(format!(
                "unknown language tag {raw:?}: expected an ISO 639-1 code such as \"en\" or \"es\", \
                 optionally with a region such as \"pt-BR\""
            ))
        };
        let (language, region) = match raw.split_once('-') {
            Some((language, region)) => (language, Some(region)),
            None => (raw, None),
        };
        let language = language.to_ascii_lowercase();
        if codes::language_name(&language).is_none() {
            return Err(unknown());
        }
        let tag = match region {
            None => language,
            Some(region) if region.len() == 3 && region.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{language}-{region}")
            }
            Some(region) => {
                let region = region.to_ascii_uppercase();
                if codes::country_name(&region).is_none() {
                    return Err(unknown());
                }
                format!("{language}-{region}")
            }
        };
        Ok(LanguageTag(tag))
    }

    /// The tag in canonical case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text in one or more languages (a JSON-LD language map): never empty, no text is blank.
/// Kept as a slice sorted by language tag: most have one to three languages, and a catalogue
/// holds a title for every specification (a map's nodes cost ten times the texts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangMap(Box<[(LanguageTag, PlainText)]>);

impl LangMap {
    /// Parses a map of language tag to text, each text at most `max_chars` long.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
        max_chars: usize,
    ) -> Result<LangMap, ValueError> {
        let mut texts = Vec::new();
        for (tag, text) in entries {
            let language = LanguageTag::parse(tag)?;
            let text = PlainText::parse(text, max_chars)
                .map_err(|err| ValueError::new(format!("text in {language}: {err}")))?;
            texts.push((language, text));
        }
        if texts.is_empty() {
            return Err(ValueError::new("needs a text in at least one language"));
        }
        texts.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(twice) = texts.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(ValueError::new(format!("language {} is given twice", twice[0].0)));
        }
        Ok(LangMap(texts.into_boxed_slice()))
    }

    /// A single-language text.
    pub fn single(language: LanguageTag, text: PlainText) -> LangMap {
        LangMap(Box::new([(language, text)]))
    }

    /// The text in `language`, if there is one.
    pub fn get(&self, language: &LanguageTag) -> Option<&str> {
        self.entry(language).map(|(_, text)| text.as_str())
    }

    /// The text in `language`, else in the first language (by tag order).
    pub fn best(&self, language: &LanguageTag) -> &str {
        self.best_with_language(language).map_or("", |(_, text)| text)
    }

    /// What [`LangMap::best`] picks, with the language it is in (to mark a text shown in
    /// another language than the page's).
    pub fn best_with_language(&self, language: &LanguageTag) -> Option<(&LanguageTag, &str)> {
        match self.entry(language) {
            Some((tag, text)) => Some((tag, text.as_str())),
            None => self.iter().next(),
        }
    }

    /// Whether there is a text in `language`.
    pub fn has(&self, language: &LanguageTag) -> bool {
        self.entry(language).is_some()
    }

    /// The languages and texts, ordered by language tag.
    pub fn iter(&self) -> impl Iterator<Item = (&LanguageTag, &str)> {
        self.0.iter().map(|(tag, text)| (tag, text.as_str()))
    }

    /// The entry for `language`.
    fn entry(&self, language: &LanguageTag) -> Option<&(LanguageTag, PlainText)> {
        self.0.binary_search_by(|(tag, _)| tag.cmp(language)).ok().map(|at| &self.0[at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(raw: &str) -> LanguageTag {
        LanguageTag::parse(raw).unwrap()
    }

    #[test]
    fn texts_are_kept_by_language_and_found_in_any_order_given() {
        let map = LangMap::parse([("fr", "Données"), ("en", "Data"), ("es", "Datos")], 100).unwrap();
        let languages: Vec<&str> = map.iter().map(|(tag, _)| tag.as_str()).collect();
        assert_eq!(languages, ["en", "es", "fr"]);
        assert_eq!((map.get(&tag("es")), map.get(&tag("de"))), (Some("Datos"), None));
        assert_eq!((map.best(&tag("fr")), map.best(&tag("de"))), ("Données", "Data"));
        assert!(map.has(&tag("en")) && !map.has(&tag("it")));
        assert_eq!(LangMap::single(tag("es"), PlainText::parse("Datos", 100).unwrap()).best(&tag("en")), "Datos");
    }

    #[test]
    fn a_language_given_twice_or_none_at_all_is_refused() {
        let twice = LangMap::parse([("es", "Datos"), ("en", "Data"), ("es", "Otros")], 100).unwrap_err();
        assert_eq!(twice.to_string(), "language es is given twice");
        let none = LangMap::parse([], 100).unwrap_err();
        assert_eq!(none.to_string(), "needs a text in at least one language");
    }
}

//! Language tags and multilingual text.

use std::{collections::BTreeMap, fmt};

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangMap(BTreeMap<LanguageTag, PlainText>);

impl LangMap {
    /// Parses a map of language tag to text, each text at most `max_chars` long.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
        max_chars: usize,
    ) -> Result<LangMap, ValueError> {
        let mut map = BTreeMap::new();
        for (tag, text) in entries {
            let language = LanguageTag::parse(tag)?;
            let text = PlainText::parse(text, max_chars)
                .map_err(|err| ValueError::new(format!("text in {language}: {err}")))?;
            if map.insert(language.clone(), text).is_some() {
                return Err(ValueError::new(format!("language {language} is given twice")));
            }
        }
        if map.is_empty() {
            return Err(ValueError::new("needs a text in at least one language"));
        }
        Ok(LangMap(map))
    }

    /// A single-language text.
    pub fn single(language: LanguageTag, text: PlainText) -> LangMap {
        LangMap(BTreeMap::from([(language, text)]))
    }

    /// The text in `language`, if there is one.
    pub fn get(&self, language: &LanguageTag) -> Option<&str> {
        self.0.get(language).map(PlainText::as_str)
    }

    /// The text in `language`, else in the first language (by tag order).
    pub fn best(&self, language: &LanguageTag) -> &str {
        self.best_with_language(language).map_or("", |(_, text)| text)
    }

    /// What [`LangMap::best`] picks, with the language it is in (to mark a text shown in
    /// another language than the page's).
    pub fn best_with_language(&self, language: &LanguageTag) -> Option<(&LanguageTag, &str)> {
        match self.0.get_key_value(language) {
            Some((tag, text)) => Some((tag, text.as_str())),
            None => self.iter().next(),
        }
    }

    /// Whether there is a text in `language`.
    pub fn has(&self, language: &LanguageTag) -> bool {
        self.0.contains_key(language)
    }

    /// The languages and texts, ordered by language tag.
    pub fn iter(&self) -> impl Iterator<Item = (&LanguageTag, &str)> {
        self.0.iter().map(|(tag, text)| (tag, text.as_str()))
    }
}

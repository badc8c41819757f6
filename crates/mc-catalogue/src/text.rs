//! Text analysis for the catalogue: words are split on anything that is not a letter or digit,
//! lowercased, and turned into index keys: the word's stem in its language (Snowball, for the
//! languages it has) and the word itself, both without diacritics.

use std::{borrow::Cow, sync::LazyLock};

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Words shorter than this are not indexed or searched (besides digits).
const MIN_WORD_CHARS: usize = 2;

/// The languages with a stemmer, by ISO 639-1 code.
static STEMMERS: LazyLock<Vec<(&'static str, Stemmer)>> = LazyLock::new(|| {
    [
        ("ar", Algorithm::Arabic),
        ("da", Algorithm::Danish),
        ("de", Algorithm::German),
        ("el", Algorithm::Greek),
        ("en", Algorithm::English),
        ("es", Algorithm::Spanish),
        ("fi", Algorithm::Finnish),
        ("fr", Algorithm::French),
        ("hu", Algorithm::Hungarian),
        ("it", Algorithm::Italian),
        ("nl", Algorithm::Dutch),
        ("no", Algorithm::Norwegian),
        ("pt", Algorithm::Portuguese),
        ("ro", Algorithm::Romanian),
        ("ru", Algorithm::Russian),
        ("sv", Algorithm::Swedish),
        ("tr", Algorithm::Turkish),
    ]
    .into_iter()
    .map(|(code, algorithm)| (code, Stemmer::create(algorithm)))
    .collect()
});

/// The stemmer of a language tag's primary language, when there is one.
pub(crate) fn stemmer(tag: &str) -> Option<(&'static str, &'static Stemmer)> {
    let primary = tag.split('-').next().unwrap_or(tag);
    STEMMERS.iter().find(|(code, _)| code.eq_ignore_ascii_case(primary)).map(|(code, stemmer)| (*code, stemmer))
}

/// The words of a text, lowercased, in order.
pub(crate) fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= MIN_WORD_CHARS || word.chars().all(|c| c.is_ascii_digit()))
        .filter(|word| !word.is_empty())
        .map(|word| match word.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit()) {
            true => Cow::Borrowed(word),
            false => Cow::Owned(word.to_lowercase()),
        })
}

/// The text without diacritics: `educación` → `educacion`.
pub(crate) fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    text.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

/// The key of a word as written (folded), shared by every language.
pub(crate) fn word_key(word: &str) -> String {
    format!("={}", fold(word))
}

/// The key of a word's stem in one language.
pub(crate) fn stem_key(language: &str, stemmer: &Stemmer, word: &str) -> String {
    format!("{language}:{}", fold(&stemmer.stem(word)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_lowercased_and_folded() {
        let words: Vec<_> = words("Análisis de datos: R, Python & SQL (2024)").collect();
        assert_eq!(words, ["análisis", "de", "datos", "python", "sql", "2024"]);
        assert_eq!(fold("educación ÅNGSTRÖM"), "educacion ANGSTROM");
    }

    #[test]
    fn spanish_and_english_words_share_their_stems() {
        let (es, spanish) = stemmer("es").unwrap();
        assert_eq!(stem_key(es, spanish, "sostenible"), stem_key(es, spanish, "sostenibles"));
        assert_eq!(stem_key(es, spanish, "educación"), stem_key(es, spanish, "educativa"));
        let (en, english) = stemmer("en-GB").unwrap();
        assert_eq!(stem_key(en, english, "managing"), stem_key(en, english, "management"));
        assert_eq!(stem_key(en, english, "analyses"), stem_key(en, english, "analysing"));
        assert!(stemmer("eu").is_none());
    }
}

//! Skills for the specification form's picker: ESCO's classification, read from the CSV file
//! ESCO publishes for each language (`skills_es.csv`), stored, and found by the words of their
//! names.

use mc_core::{HttpUrl, LanguageTag, PlainText};
use mc_store::SkillRecord;

use crate::{App, AppError, Operator};

/// The longest skill name accepted.
const MAX_NAME_CHARS: usize = 500;
/// How many labels a word is looked for in before the other words narrow them down.
const CANDIDATES: u32 = 200;

/// A skill a registrar may pick: its URI and its name in the language asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillChoice {
    /// Such as `http://data.europa.eu/esco/skill/…`.
    pub uri: String,
    /// Its preferred label.
    pub name: String,
}

/// The skills of an ESCO skills CSV file (columns `conceptUri` and `preferredLabel`, by their
/// names in the header row), their labels in `language`. A row without a URI or a label, or
/// with a URI that is not an `http(s)` address, is refused with its row number, and nothing is
/// read.
pub fn read_esco_skills(text: &str, language: &str) -> Result<Vec<SkillRecord>, AppError> {
    let parse_error = |message: String| AppError::Parse { format: "ESCO skills CSV", message };
    let language = LanguageTag::parse(language).map_err(|err| AppError::invalid_argument("language", err))?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|err| parse_error(err.to_string()))?.clone();
    let column = |name: &str| {
        header.iter().position(|column| column.trim_start_matches('\u{feff}') == name).ok_or_else(|| {
            parse_error(format!(
                "the header row has no `{name}` column (ESCO's skills file has conceptUri and preferredLabel)"
            ))
        })
    };
    let (uri_at, label_at) = (column("conceptUri")?, column("preferredLabel")?);
    let mut skills = Vec::new();
    for (index, row) in reader.records().enumerate() {
        // Row 1 is the header, as a spreadsheet numbers them.
        let row_number = index + 2;
        let row = row.map_err(|err| parse_error(format!("row {row_number}: {err}")))?;
        let uri = row.get(uri_at).unwrap_or_default().trim();
        let label = row.get(label_at).unwrap_or_default().trim();
        let uri = HttpUrl::parse(uri).map_err(|err| parse_error(format!("row {row_number}: conceptUri: {err}")))?;
        let label = PlainText::parse(label, MAX_NAME_CHARS)
            .map_err(|err| parse_error(format!("row {row_number}: preferredLabel: {err}")))?;
        skills.push(SkillRecord {
            uri: uri.as_str().to_owned(),
            language: language.to_string(),
            label: label.as_str().to_owned(),
        });
    }
    Ok(skills)
}

impl App {
    /// Up to `limit` skills whose name in `language` holds every word of `words` (any case),
    /// the shortest names first.
    pub async fn find_skills(&self, words: &str, language: &str, limit: usize) -> Result<Vec<SkillChoice>, AppError> {
        let words: Vec<String> = words.split_whitespace().map(str::to_lowercase).collect();
        let Some(longest) = words.iter().max_by_key(|word| word.chars().count()) else {
            return Ok(Vec::new());
        };
        let found = self.store().db().await?.find_skills(longest, language, CANDIDATES).await?;
        Ok(found
            .into_iter()
            .filter(|skill| {
                let name = skill.label.to_lowercase();
                words.iter().all(|word| name.contains(word.as_str()))
            })
            .take(limit)
            .map(|skill| SkillChoice { uri: skill.uri, name: skill.label })
            .collect())
    }
}

impl Operator<'_> {
    /// Stores the skills of an ESCO skills CSV file with their names in `language`, replacing
    /// the names they had in it; all of them or, on a bad row, none. Returns how many.
    pub async fn import_skills(&self, text: &str, language: &str) -> Result<usize, AppError> {
        let skills = read_esco_skills(text, language)?;
        let mut tx = self.store().begin().await?;
        tx.db().put_skills(&skills).await?;
        tx.commit().await?;
        Ok(skills.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esco_rows_are_read_by_their_column_names() {
        let text = "conceptType,conceptUri,skillType,preferredLabel,altLabels\n\
                    KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/a,skill/competence,usar hojas de cálculo,\"hojas\nde cálculo\"\n";
        let skills = read_esco_skills(text, "es").unwrap();
        assert_eq!(skills.len(), 1);
        assert_eq!(skills[0].label, "usar hojas de cálculo");
        assert_eq!(skills[0].language, "es");
    }

    #[test]
    fn a_bad_row_is_named_and_nothing_is_read() {
        let missing = read_esco_skills("uri,label\nx,y\n", "en").unwrap_err().to_string();
        assert!(missing.contains("no `conceptUri` column"), "{missing}");
        let text = "conceptUri,preferredLabel\nhttp://data.europa.eu/esco/skill/a,one\nnot a uri,two\n";
        let bad = read_esco_skills(text, "en").unwrap_err().to_string();
        assert!(bad.contains("row 3: conceptUri"), "{bad}");
        let empty = read_esco_skills("conceptUri,preferredLabel\nhttp://x.example/s,\n", "en").unwrap_err().to_string();
        assert!(empty.contains("row 2: preferredLabel"), "{empty}");
        assert!(read_esco_skills("conceptUri,preferredLabel\n", "xx-?").is_err(), "a language tag is checked");
    }
}

//! Skills a registrar can pick for a learning outcome (ESCO's, as the operator imports them):
//! one preferred label per skill and language, found by the words of their label.

use std::ops::DerefMut;

use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{Db, StoreError};

/// A skill's preferred label in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillRecord {
    /// The skill's URI, such as `http://data.europa.eu/esco/skill/…`.
    pub uri: String,
    /// The label's language, such as `es`.
    pub language: String,
    /// The preferred label.
    pub label: String,
}

fn skill_from_row(row: &AnyRow) -> Result<SkillRecord, StoreError> {
    Ok(SkillRecord { uri: row.try_get("uri")?, language: row.try_get("language")?, label: row.try_get("label")? })
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Adds skills, replacing the label a skill already had in the same language.
    pub async fn put_skills(&mut self, skills: &[SkillRecord]) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        for skill in skills {
            sqlx::query(
                "INSERT INTO skills (uri, language, label) VALUES ($1, $2, $3) \
                 ON CONFLICT (uri, language) DO UPDATE SET label = excluded.label",
            )
            .bind(&skill.uri)
            .bind(&skill.language)
            .bind(&skill.label)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    /// Up to `limit` skills with a label in `language` that contains `word` (lowercase; any
    /// case of ASCII letters matches), shortest label first.
    pub async fn find_skills(
        &mut self,
        word: &str,
        language: &str,
        limit: u32,
    ) -> Result<Vec<SkillRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let pattern = crate::issuing::contains_pattern(word);
        let rows = sqlx::query(
            "SELECT uri, language, label FROM skills WHERE language = $1 AND LOWER(label) LIKE $2 ESCAPE '\\' \
             ORDER BY LENGTH(label), label LIMIT $3",
        )
        .bind(language)
        .bind(pattern)
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await?;
        rows.iter().map(skill_from_row).collect()
    }

    /// How many skill labels are stored, in every language.
    pub async fn skill_count(&mut self) -> Result<u64, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM skills").fetch_one(conn).await?.try_get("n")?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

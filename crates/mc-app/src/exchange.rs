//! Import and export of specifications: microcred's own JSON documents, and European Learning
//! Model JSON-LD. An import takes each entry alone: the ones that are wrong are reported with
//! the reason and the others are stored.

use mc_core::{Timestamp, elm, wire::SpecDocument};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{Added, AppError};

/// The most entries one import may hold.
pub const MAX_IMPORT_ENTRIES: usize = 10_000;

/// A format for specifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFormat {
    /// An array of microcred specification documents (docs/spec-format.md).
    Json,
    /// ELM JSON-LD: learning achievement specifications (alone, in an array or `@graph`, in a
    /// learning opportunity, or as a credential's `specifiedBy`).
    Elm,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpecImport {
    /// The specifications stored (or found already stored).
    pub imported: Vec<ImportedSpec>,
    /// The entries refused, with why.
    pub rejected: Vec<RejectedEntry>,
}

/// A specification an import stored, or found already stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedSpec {
    /// Its id.
    pub id: String,
    /// Its title in its default language.
    pub title: String,
    /// Whether it is published.
    pub published: bool,
}

/// An entry an import refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedEntry {
    /// Which entry: its position, and its id when it has one.
    pub entry: String,
    /// Why it was refused.
    pub reason: String,
}

impl crate::Operator<'_> {
    /// Exports the specifications named (every one when `ids` is empty).
    pub async fn export_specs(&self, ids: &[String], format: SpecFormat) -> Result<Value, AppError> {
        let specs = match ids {
            [] => self.specs().await?,
            ids => {
                let mut specs = Vec::with_capacity(ids.len());
                for id in ids {
                    specs.push(self.spec(id).await?);
                }
                specs
            }
        };
        Ok(match format {
            SpecFormat::Json => serde_json::to_value(specs.iter().map(SpecDocument::from).collect::<Vec<_>>())
                .expect("documents serialise"),
            SpecFormat::Elm => {
                json!({"@context": elm::CONTEXT, "@graph": specs.iter().map(elm::to_elm).collect::<Vec<_>>()})
            }
        })
    }

    /// Imports specifications as drafts; with `publish`, each one the quality check finds no
    /// errors in is published too. `awarding_body` is used for ELM entries that do not name
    /// one of this microcred's institutions.
    pub async fn import_specs(
        &self,
        text: &str,
        format: SpecFormat,
        awarding_body: Option<&str>,
        publish: bool,
        now: Timestamp,
    ) -> Result<SpecImport, AppError> {
        let document: Value =
            serde_json::from_str(text).map_err(|err| AppError::Parse { format: "JSON", message: err.to_string() })?;
        let entries: Vec<Result<SpecDocument, String>> = match format {
            SpecFormat::Json => match &document {
                Value::Array(items) => items.iter().map(json_entry).collect(),
                one @ Value::Object(_) => vec![json_entry(one)],
                _ => {
                    return Err(AppError::Parse {
                        format: "JSON",
                        message: "expected an array of specification documents".into(),
                    });
                }
            },
            SpecFormat::Elm => {
                let found = elm::specifications(&document);
                if found.is_empty() {
                    return Err(AppError::Parse {
                        format: "JSON-LD",
                        message: "no LearningAchievementSpecification (or Qualification) was found in it".into(),
                    });
                }
                found.into_iter().map(|las| elm::from_elm(las, awarding_body)).collect()
            }
        };
        if entries.len() > MAX_IMPORT_ENTRIES {
            return Err(AppError::Parse {
                format: "JSON",
                message: format!(
                    "it holds {} entries; at most {MAX_IMPORT_ENTRIES} are imported at once",
                    entries.len()
                ),
            });
        }
        let mut report = SpecImport::default();
        for (idx, entry) in entries.into_iter().enumerate() {
            let label = |document: Option<&SpecDocument>| match document.and_then(|document| document.id.as_deref()) {
                Some(id) => format!("[{idx}] {id}"),
                None => format!("[{idx}]"),
            };
            let document = match entry {
                Ok(document) => document,
                Err(reason) => {
                    report.rejected.push(RejectedEntry { entry: label(None), reason });
                    continue;
                }
            };
            let spec = match self.add_spec(&document).await {
                Ok((spec, Added::New | Added::Unchanged)) => spec,
                Err(err @ (AppError::Rejected(_) | AppError::Conflict(_))) => {
                    report.rejected.push(RejectedEntry { entry: label(Some(&document)), reason: err.to_string() });
                    continue;
                }
                Err(err) => return Err(err),
            };
            let mut published = false;
            if publish {
                // Publishing checks first; a specification with errors stays a draft.
                published = match self.publish_spec(&spec.id().to_string(), now).await {
                    Ok(_) => true,
                    Err(AppError::Rejected(_)) => false,
                    Err(err) => return Err(err),
                };
            }
            report.imported.push(ImportedSpec {
                id: spec.id().to_string(),
                title: spec.default_title().to_owned(),
                published,
            });
        }
        tracing::info!(imported = report.imported.len(), rejected = report.rejected.len(), "specifications imported");
        Ok(report)
    }
}

fn json_entry(value: &Value) -> Result<SpecDocument, String> {
    serde_path_to_error::deserialize(value.clone()).map_err(|err| match err.path().to_string().as_str() {
        "." => err.inner().to_string(),
        path => format!("{path}: {}", err.inner()),
    })
}

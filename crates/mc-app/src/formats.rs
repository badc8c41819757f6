//! Reading documents from JSON or TOML text.

use serde::de::DeserializeOwned;

use crate::AppError;

/// A text format documents can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// TOML.
    Toml,
}

impl Format {
    /// The format a file name's extension names, if it names one.
    pub fn from_extension(path: &str) -> Option<Format> {
        let extension = path.rsplit_once('.')?.1;
        match extension.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }

    /// The format of `text` judged from its first character: JSON starts with `{`.
    pub fn sniff(text: &str) -> Format {
        match text.trim_start().starts_with('{') {
            true => Format::Json,
            false => Format::Toml,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Toml => "TOML",
        }
    }
}

/// Reads one document from `text`.
pub fn parse_document<T: DeserializeOwned>(text: &str, format: Format) -> Result<T, AppError> {
    let parse_error = |message: String| AppError::Parse { format: format.name(), message };
    match format {
        Format::Json => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let document = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
                // The path names the field a wrong type is in; it is "." when the error is
                // in the document's shape itself.
                match err.path().to_string().as_str() {
                    "." => parse_error(err.inner().to_string()),
                    path => parse_error(format!("{path}: {}", err.inner())),
                }
            })?;
            deserializer.end().map_err(|err| parse_error(err.to_string()))?;
            Ok(document)
        }
        Format::Toml => toml::from_str(text).map_err(|err| parse_error(err.to_string().trim_end().to_owned())),
    }
}

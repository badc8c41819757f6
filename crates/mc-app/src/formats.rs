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
        Format::Json => serde_json::from_str(text).map_err(|err| parse_error(err.to_string())),
        Format::Toml => toml::from_str(text).map_err(|err| parse_error(err.to_string().trim_end().to_owned())),
    }
}

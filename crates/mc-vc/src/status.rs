//! W3C Bitstring Status List v1.0: status entries in credentials, and the lists themselves.

use serde_json::{Value, json};

/// What a status list says about a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusPurpose {
    /// Revoked for good.
    Revocation,
    /// Suspended until lifted.
    Suspension,
}

impl StatusPurpose {
    /// The purpose's name in a credential.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }

    /// The purpose with this name.
    pub fn parse(name: &str) -> Option<StatusPurpose> {
        match name {
            "revocation" => Some(StatusPurpose::Revocation),
            "suspension" => Some(StatusPurpose::Suspension),
            _ => None,
        }
    }
}

/// The entries a status list has at least (16 KiB of bits), so that one credential hides among
/// many (Bitstring Status List §6.1, herd privacy).
pub const MIN_LIST_SIZE: u64 = 131_072;

/// A credential's place in a status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The URL of the status list credential.
    pub list_url: String,
    /// The credential's index in the list.
    pub index: u64,
    /// What the list records.
    pub purpose: StatusPurpose,
}

impl StatusEntry {
    /// The `credentialStatus` entry (a `BitstringStatusListEntry`).
    pub fn to_json(&self) -> Value {
        json!({
            "id": format!("{}#{}", self.list_url, self.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose.as_str(),
            "statusListIndex": self.index.to_string(),
            "statusListCredential": self.list_url,
        })
    }
}

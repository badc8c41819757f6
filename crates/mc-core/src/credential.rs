//! The life of an issued credential: active, suspended (reversibly) or revoked (for good).

use std::fmt;

/// Where an issued credential stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialState {
    /// Valid as issued.
    Active,
    /// Suspended until lifted.
    Suspended,
    /// Revoked; final.
    Revoked,
}

/// A change of state that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransitionError(String);

impl CredentialState {
    /// Reads a stored state.
    pub fn parse(raw: &str) -> Option<CredentialState> {
        match raw {
            "active" => Some(CredentialState::Active),
            "suspended" => Some(CredentialState::Suspended),
            "revoked" => Some(CredentialState::Revoked),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialState::Active => "active",
            CredentialState::Suspended => "suspended",
            CredentialState::Revoked => "revoked",
        }
    }

    /// Revoking: from active or suspended; revocation is final.
    pub fn revoke(self) -> Result<CredentialState, TransitionError> {
        match self {
            CredentialState::Revoked => {
                Err(TransitionError("the credential is already revoked; revocation is final".into()))
            }
            _ => Ok(CredentialState::Revoked),
        }
    }

    /// Suspending: only an active credential.
    pub fn suspend(self) -> Result<CredentialState, TransitionError> {
        match self {
            CredentialState::Active => Ok(CredentialState::Suspended),
            CredentialState::Suspended => Err(TransitionError("the credential is already suspended".into())),
            CredentialState::Revoked => {
                Err(TransitionError("the credential is revoked; it cannot be suspended".into()))
            }
        }
    }

    /// Lifting a suspension: only a suspended credential.
    pub fn unsuspend(self) -> Result<CredentialState, TransitionError> {
        match self {
            CredentialState::Suspended => Ok(CredentialState::Active),
            CredentialState::Active => Err(TransitionError("the credential is not suspended".into())),
            CredentialState::Revoked => Err(TransitionError("the credential is revoked; revocation is final".into())),
        }
    }
}

impl fmt::Display for CredentialState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::CredentialState::{self, *};

    #[test]
    fn transitions() {
        type Transition = fn(CredentialState) -> Result<CredentialState, super::TransitionError>;
        let cases: [(CredentialState, Transition, Option<CredentialState>); 9] = [
            (Active, CredentialState::revoke, Some(Revoked)),
            (Suspended, CredentialState::revoke, Some(Revoked)),
            (Revoked, CredentialState::revoke, None),
            (Active, CredentialState::suspend, Some(Suspended)),
            (Suspended, CredentialState::suspend, None),
            (Revoked, CredentialState::suspend, None),
            (Suspended, CredentialState::unsuspend, Some(Active)),
            (Active, CredentialState::unsuspend, None),
            (Revoked, CredentialState::unsuspend, None),
        ];
        for (from, transition, to) in cases {
            assert_eq!(transition(from).ok(), to, "from {from}");
        }
    }
}

/// The documents an award is issued as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CredentialFormat {
    /// An Open Badges 3.0 credential, signed with Data Integrity.
    #[default]
    OpenBadges,
    /// A European Digital Credential (ELM v3), sealed with JAdES.
    Edc,
    /// Both, naming each other.
    Both,
}

impl CredentialFormat {
    /// Reads a format name: `ob3`, `edc` or `both`.
    pub fn parse(raw: &str) -> Option<CredentialFormat> {
        match raw {
            "ob3" => Some(CredentialFormat::OpenBadges),
            "edc" => Some(CredentialFormat::Edc),
            "both" => Some(CredentialFormat::Both),
            _ => None,
        }
    }

    /// The format's name.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialFormat::OpenBadges => "ob3",
            CredentialFormat::Edc => "edc",
            CredentialFormat::Both => "both",
        }
    }

    /// Whether an Open Badges credential is issued.
    pub fn has_open_badge(self) -> bool {
        self != CredentialFormat::Edc
    }

    /// Whether a European Digital Credential is issued.
    pub fn has_edc(self) -> bool {
        self != CredentialFormat::OpenBadges
    }
}

impl fmt::Display for CredentialFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

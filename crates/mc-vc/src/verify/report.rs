//! The report of one verification: collects each check's outcome and works out the verdict.

use super::{Check, CheckId, CheckStatus, Verdict, Verification};

/// The message of a check not made because an earlier one failed.
pub const NOT_REACHED: &str = "not checked: an earlier check failed";

/// Collects checks and works out the verdict.
pub(super) struct Report {
    pub(super) checks: Vec<Check>,
    pub(super) indeterminate: bool,
}

impl Report {
    pub(super) fn add(&mut self, id: CheckId, status: CheckStatus, message: impl Into<String>) {
        self.checks.push(Check { id, status, message: message.into() });
    }

    /// A check that could not be made although validity depends on it.
    pub(super) fn undecided(&mut self, id: CheckId, message: impl Into<String>) {
        self.indeterminate = true;
        self.add(id, CheckStatus::Skipped, message);
    }

    pub(super) fn finish(mut self, credential: Option<String>, issuer: Option<String>) -> Verification {
        for id in [
            CheckId::Format,
            CheckId::Schema,
            CheckId::Proof,
            CheckId::Issuer,
            CheckId::Validity,
            CheckId::Status,
            CheckId::Trust,
        ] {
            if !self.checks.iter().any(|check| check.id == id) {
                self.add(id, CheckStatus::Skipped, NOT_REACHED);
            }
        }
        self.checks.sort_by_key(|check| check.id as u8);
        let verdict = match (self.checks.iter().any(|check| check.status == CheckStatus::Failed), self.indeterminate) {
            (true, _) => Verdict::Invalid,
            (false, true) => Verdict::Indeterminate,
            (false, false) => Verdict::Valid,
        };
        Verification { verdict, credential, issuer, checks: self.checks, seal: None }
    }
}

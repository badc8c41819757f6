//! The micro-credential domain model: validated types for institutions, learners and
//! micro-credential specifications in the European Learning Model vocabulary.
//!
//! This crate does no I/O. Values are parsed once, at the boundary, from the wire documents in
//! [`wire`]; a value of a domain type is always valid.

#![warn(missing_docs)]

mod codes;
mod credential;
pub mod elm;
mod error;
mod ids;
mod institution;
mod lang;
mod learner;
pub mod quality;
pub mod recognition;
mod spec;
pub mod stacking;
mod time;
mod values;
pub mod wire;

#[cfg(test)]
mod tests;

pub use crate::{
    codes::{country_name, country_name_in, isced_f_name, isced_f_name_in, language_name, language_name_in},
    credential::{CredentialFormat, CredentialState, TransitionError},
    error::{Invalid, Problem, ValueError, says_missing},
    ids::{InstitutionId, LearnerId, SpecId},
    institution::Institution,
    lang::{LangMap, LanguageTag},
    learner::{Email, Learner},
    spec::{
        Assessment, AssessmentKind, AssessmentMethod, EqfLevel, IdentityVerification, IscedCode, LearningOutcome,
        Participation, QfEheaCycle, QualityAssurance, Spec, Stackability, StackabilityOption, Workload,
    },
    time::Timestamp,
    values::{Country, Did, HttpUrl, PlainText},
};

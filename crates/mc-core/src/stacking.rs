//! Stacking pathways, pure: an institution's larger credential that a learner's
//! micro-credentials add up to ("Certificate in Data Science: at least 15 ECTS from these fields
//! at EQF 6 or above, including these skills, earned within 5 years"). [`PathwayDocument`] is
//! the format (TOML or JSON), [`PathwayDocument::parse`] checks it, and [`progress`] says what a
//! learner's verified credentials meet, what is missing, and why each credential counts or not.

use serde::{Deserialize, Serialize};

use crate::{
    InstitutionId, IscedCode, LangMap, Timestamp,
    error::{Invalid, Problems, ValueError},
    recognition::{CredentialFacts, Standing},
    values::HttpUrl,
    wire::LangMapDocument,
};

/// A pathway as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathwayDocument {
    /// Its handle: 2 to 64 of `a-z`, `0-9` and `-`.
    pub id: Option<String>,
    /// The stacked credential's title.
    pub title: Option<LangMapDocument>,
    /// The institution that awards the stacked credential.
    pub institution: Option<String>,
    /// At least this many ECTS from credentials that count.
    pub min_ects: Option<f64>,
    /// Credentials count only in these ISCED-F fields (or narrower ones).
    pub fields: Option<Vec<String>>,
    /// Credentials count only at this EQF level or above.
    pub min_eqf: Option<u8>,
    /// These ESCO skills must each be among the counted credentials' outcomes.
    pub skills: Option<Vec<String>>,
    /// Credentials count only when earned within this many years.
    pub within_years: Option<u32>,
    /// Credits the institution recognised (its accepted recognition decisions) count too, as
    /// granted. Off unless set.
    pub count_recognised: Option<bool>,
}

/// A checked pathway.
#[derive(Debug, Clone, PartialEq)]
pub struct Pathway {
    /// Its handle.
    pub id: String,
    /// Its title.
    pub title: LangMap,
    /// The awarding institution.
    pub institution: InstitutionId,
    /// ECTS needed.
    pub min_ects: f64,
    /// Fields that count (empty: any).
    pub fields: Vec<IscedCode>,
    /// EQF level that counts, at least.
    pub min_eqf: Option<u8>,
    /// Skills needed.
    pub skills: Vec<HttpUrl>,
    /// Recency, in years.
    pub within_years: Option<u32>,
    /// Whether credits the institution recognised count.
    pub count_recognised: bool,
}

/// Credits a pathway's institution granted by recognising a credential (an accepted recognition
/// decision).
#[derive(Debug, Clone, PartialEq)]
pub struct RecognisedCredit {
    /// The recognised credential's id.
    pub credential: String,
    /// The ECTS granted.
    pub ects: f64,
}

impl PathwayDocument {
    /// Checks every field and builds the pathway, or reports every problem with its path.
    pub fn parse(&self) -> Result<Pathway, Invalid> {
        let mut p = Problems::default();
        let id = p.required("id", self.id.as_deref(), "the pathway's handle", |raw| {
            let ok = (2..=64).contains(&raw.len())
                && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && raw.starts_with(|c: char| c.is_ascii_lowercase());
            match ok {
                true => Ok(raw.to_owned()),
                false => Err(ValueError::new(format!("{raw:?} is not a handle: use 2 to 64 of a-z, 0-9 and '-'"))),
            }
        });
        let title = p.required("title", self.title.clone(), "the stacked credential's title", |raw| {
            LangMap::parse(raw.iter().map(|(tag, text)| (tag.as_str(), text.as_str())), 400)
        });
        let institution =
            p.required("institution", self.institution.as_deref(), "the awarding institution", InstitutionId::parse);
        let min_ects = p.required("min_ects", self.min_ects, "the ECTS needed", |ects| {
            match ects.is_finite() && ects > 0.0 && ects <= 240.0 {
                true => Ok(ects),
                false => {
                    Err(ValueError::new(format!("{ects} is not a number of ECTS credits (more than 0, at most 240)")))
                }
            }
        });
        let fields = self
            .fields
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(idx, code)| p.check(format!("fields[{idx}]"), IscedCode::parse(code)))
            .collect();
        let min_eqf = p
            .optional("min_eqf", self.min_eqf, |level| match (1..=8).contains(&level) {
                true => Ok(level),
                false => Err(ValueError::new(format!("{level} is not an EQF level (1 to 8)"))),
            })
            .flatten();
        let skills = self
            .skills
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(idx, skill)| p.check(format!("skills[{idx}]"), HttpUrl::parse(skill)))
            .collect();
        let within_years = p
            .optional("within_years", self.within_years, |years| match (1..=100).contains(&years) {
                true => Ok(years),
                false => Err(ValueError::new(format!("{years} is not a number of years (1 to 100)"))),
            })
            .flatten();
        p.finish(|| {
            Some(Pathway {
                id: id?,
                title: title?,
                institution: institution?,
                min_ects: min_ects?,
                fields,
                min_eqf,
                skills,
                within_years,
                count_recognised: self.count_recognised.unwrap_or(false),
            })
        })
    }
}

/// How far a learner's credentials go along a pathway.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Whether every requirement is met.
    pub complete: bool,
    /// The ECTS counted, and needed.
    pub ects: (f64, f64),
    /// The credentials that count, with their ECTS.
    pub counted: Vec<(String, f64)>,
    /// The credentials that do not count, each with why.
    pub not_counted: Vec<(String, NotCounted)>,
    /// The skills still missing.
    pub missing_skills: Vec<String>,
}

/// Why a credential does not count towards a pathway. `Display` says it in English; pages
/// say it in their reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCounted {
    /// It does not verify (the verifier's words).
    Unverified(String),
    /// It states no ECTS credits.
    NoEcts,
    /// It carries no ECTS credits.
    ZeroEcts,
    /// Its field is not one of those wanted.
    Field {
        /// Its field.
        field: String,
        /// The fields that count.
        wanted: Vec<String>,
    },
    /// It states no field.
    NoField {
        /// The fields that count.
        wanted: Vec<String>,
    },
    /// Its EQF level is too low.
    Eqf {
        /// Its level.
        level: u8,
        /// The lowest that counts.
        min: u8,
    },
    /// It states no EQF level.
    NoEqf {
        /// The lowest level that counts.
        min: u8,
    },
    /// It was earned too long ago.
    TooOld {
        /// How recent a credential must be, in years.
        years: u32,
    },
    /// Another credential of the same specification counts already.
    SameSpec,
    /// It counts already through its recognition.
    ThroughRecognition,
}

impl std::fmt::Display for NotCounted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotCounted::Unverified(why) => write!(f, "it does not verify: {why}"),
            NotCounted::NoEcts => f.write_str("it states no ECTS credits"),
            NotCounted::ZeroEcts => f.write_str("it carries no ECTS credits"),
            NotCounted::Field { field, wanted } => write!(f, "its field {field} is not one of {}", wanted.join(", ")),
            NotCounted::NoField { wanted } => write!(f, "it states no field; one of {} is needed", wanted.join(", ")),
            NotCounted::Eqf { level, min } => write!(f, "EQF level {level}; at least {min} is needed"),
            NotCounted::NoEqf { min } => write!(f, "it states no EQF level; at least {min} is needed"),
            NotCounted::TooOld { years } => write!(f, "it was earned more than {years} years ago"),
            NotCounted::SameSpec => f.write_str("another credential of the same specification counts already"),
            NotCounted::ThroughRecognition => f.write_str("it counts already through its recognition"),
        }
    }
}

/// Why a credential does not count towards `pathway`, if it does not.
fn excluded(pathway: &Pathway, credential: &CredentialFacts, now: Timestamp) -> Option<NotCounted> {
    if let Standing::Refused(why) = &credential.standing {
        return Some(NotCounted::Unverified(why.clone()));
    }
    let Some(ects) = credential.ects else { return Some(NotCounted::NoEcts) };
    if ects <= 0.0 {
        return Some(NotCounted::ZeroEcts);
    }
    if !pathway.fields.is_empty() {
        let wanted: Vec<String> = pathway.fields.iter().map(|field| field.as_str().to_owned()).collect();
        match &credential.field {
            Some(field) if wanted.iter().any(|broad| field.starts_with(broad.as_str())) => {}
            Some(field) => return Some(NotCounted::Field { field: field.clone(), wanted }),
            None => return Some(NotCounted::NoField { wanted }),
        }
    }
    if let Some(min) = pathway.min_eqf {
        match credential.eqf {
            Some(level) if level >= min => {}
            Some(level) => return Some(NotCounted::Eqf { level, min }),
            None => return Some(NotCounted::NoEqf { min }),
        }
    }
    if let Some(years) = pathway.within_years {
        let limit = Timestamp::from_unix(
            now.unix_seconds() - i64::from(years) * 365 * 86_400 - i64::from(years / 4) * 86_400,
            0,
        );
        if credential.earned < limit {
            return Some(NotCounted::TooOld { years });
        }
    }
    None
}

/// What a learner's `credentials` meet of `pathway` at `now`. Each credential counts once;
/// two of the same specification count once. When the pathway counts recognised credits, the
/// credits its institution granted by recognising a credential (`recognised`) count as granted,
/// once per credential, and that credential does not count a second time by itself.
pub fn progress(
    pathway: &Pathway,
    credentials: &[CredentialFacts],
    recognised: &[RecognisedCredit],
    now: Timestamp,
) -> Progress {
    let mut counted = Vec::new();
    let mut not_counted = Vec::new();
    let mut specs = Vec::new();
    let mut ects = 0.0;
    let mut skills_had: Vec<&str> = Vec::new();
    let mut recognised_ids: Vec<&str> = Vec::new();
    if pathway.count_recognised {
        for credit in recognised {
            if recognised_ids.contains(&credit.credential.as_str()) || credit.ects.is_nan() || credit.ects <= 0.0 {
                continue;
            }
            recognised_ids.push(&credit.credential);
            ects += credit.ects;
            counted.push((credit.credential.clone(), credit.ects));
        }
    }
    for credential in credentials {
        if recognised_ids.contains(&credential.id.as_str()) {
            // Its credits count as granted; what it taught counts as well while it verifies.
            if credential.standing == Standing::Valid {
                skills_had.extend(credential.skills.iter().map(String::as_str));
            }
            not_counted.push((credential.id.clone(), NotCounted::ThroughRecognition));
            continue;
        }
        if let Some(why) = excluded(pathway, credential, now) {
            not_counted.push((credential.id.clone(), why));
            continue;
        }
        if let Some(spec) = credential.spec {
            if specs.contains(&spec) {
                not_counted.push((credential.id.clone(), NotCounted::SameSpec));
                continue;
            }
            specs.push(spec);
        }
        let credits = credential.ects.unwrap_or_default();
        ects += credits;
        counted.push((credential.id.clone(), credits));
        skills_had.extend(credential.skills.iter().map(String::as_str));
    }
    let missing_skills: Vec<String> = pathway
        .skills
        .iter()
        .filter(|skill| !skills_had.contains(&skill.as_str()))
        .map(|skill| skill.as_str().to_owned())
        .collect();
    Progress {
        complete: ects + 1e-9 >= pathway.min_ects && missing_skills.is_empty(),
        ects: (ects, pathway.min_ects),
        counted,
        not_counted,
        missing_skills,
    }
}

#[cfg(test)]
mod tests;

//! Recognition agreements (after the ECCOE project's Model Credit Recognition Agreement) and
//! their evaluation, pure.
//!
//! An agreement binds two or more institutions (a bilateral agreement or a whole network) for
//! a period. Each rule says which partner micro-credentials one party recognises, selected by
//! specification id or by conditions (ECTS, EQF level, ISCED-F field, ESCO skills with a
//! minimum overlap, type of assessment, quality assurance, identity verification, grade,
//! recency), and as what: a named home course with its ECTS, or elective ECTS with a cap.
//! [`AgreementDocument`] is the format a recognition officer reads and writes (TOML or JSON);
//! [`AgreementDocument::parse`] checks every field and names each problem's path.
//! [`propose`] evaluates a learner's credentials against the agreements in force and explains
//! every rule it tried, condition by condition, counting no credit twice.

mod evaluate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use self::evaluate::{
    AgreementInForce, ConditionCheck, ConditionKind, CredentialFacts, CredentialOutcome, Proposal, Provided,
    Recognition, Recognizer, RuleOutcome, Standing, propose, recognitions_of,
};
use crate::{
    AssessmentKind, IdentityVerification, InstitutionId, IscedCode, LangMap, SpecId, Timestamp,
    error::{Invalid, Problems, ValueError},
    values::HttpUrl,
    wire::LangMapDocument,
};

/// The most rules an agreement may have.
pub const MAX_RULES: usize = 500;
/// The most parties an agreement may have.
pub const MAX_PARTIES: usize = 200;
const MAX_TEXT: usize = 4_000;

/// A recognition agreement as written: every field optional, so that [`AgreementDocument::parse`]
/// can name every one that is missing. Unknown fields are refused where the document is read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementDocument {
    /// The agreement's handle: 2 to 64 of `a-z`, `0-9` and `-`.
    pub id: Option<String>,
    /// Its title, in the parties' languages.
    pub title: Option<LangMapDocument>,
    /// The institutions bound by it, by id: two for a bilateral agreement, more for a network.
    pub parties: Option<Vec<String>>,
    /// When it comes into force (a date, `2026-01-01`, or an RFC 3339 time).
    pub valid_from: Option<String>,
    /// When it ends, if it has an end.
    pub valid_until: Option<String>,
    /// What it covers, in words.
    pub scope: Option<LangMapDocument>,
    /// The recognition rules.
    #[serde(default)]
    pub rules: Vec<RuleDocument>,
}

/// One rule as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDocument {
    /// The rule's id, unique in the agreement.
    pub id: Option<String>,
    /// The party that recognises (grants) under this rule; credentials of the other parties are
    /// recognised.
    pub recognised_by: Option<String>,
    /// Selects credentials of these specifications (ids).
    pub specs: Option<Vec<String>>,
    /// Selects credentials that meet these conditions.
    pub conditions: Option<ConditionsDocument>,
    /// What a selected credential is recognised as.
    pub grants: Option<GrantDocument>,
}

/// The conditions a rule may set, as written. Each one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionsDocument {
    /// At least this many ECTS credits.
    pub min_ects: Option<f64>,
    /// At least this EQF level.
    pub min_eqf: Option<u8>,
    /// In one of these ISCED-F fields; a broad field (`05`) covers its narrower ones (`0542`).
    pub fields: Option<Vec<String>>,
    /// These ESCO skills (URIs) …
    pub skills: Option<Vec<String>>,
    /// … at least this share of them (0 to 1; all of them when not given).
    pub min_skill_overlap: Option<f64>,
    /// Assessed in one of these ways (`summative`, `formative`, `self-assessment`).
    pub assessment: Option<Vec<String>>,
    /// Quality assured `internally` or `externally` (external also satisfies internal).
    pub quality_assurance: Option<String>,
    /// With one of these kinds of identity verification.
    pub identity_verification: Option<Vec<String>>,
    /// With a grade of at least this (on the issuer's numeric scale).
    pub min_grade: Option<f64>,
    /// Earned within this many years.
    pub within_years: Option<u32>,
}

/// What a rule grants, as written: a home course, or elective credits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantDocument {
    /// A named home course.
    pub course: Option<CourseDocument>,
    /// Elective ECTS credits per credential.
    pub elective_ects: Option<f64>,
    /// The most ECTS this rule grants one learner in all.
    pub cap_ects: Option<f64>,
}

/// A home course, as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseDocument {
    /// The course's code at the recognising institution.
    pub code: Option<String>,
    /// Its name.
    pub name: Option<LangMapDocument>,
    /// Its ECTS credits.
    pub ects: Option<f64>,
}

/// A checked recognition agreement.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// Its handle.
    pub id: String,
    /// Its title.
    pub title: LangMap,
    /// The parties.
    pub parties: Vec<InstitutionId>,
    /// When it comes into force.
    pub valid_from: Timestamp,
    /// When it ends, if it does.
    pub valid_until: Option<Timestamp>,
    /// What it covers.
    pub scope: Option<LangMap>,
    /// Its rules.
    pub rules: Vec<Rule>,
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// The party that grants under it.
    pub recognised_by: InstitutionId,
    /// Which credentials it selects.
    pub selector: Selector,
    /// What it grants.
    pub grant: Grant,
    /// The most ECTS it grants one learner in all.
    pub cap_ects: Option<f64>,
}

/// Which credentials a rule selects.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    /// Credentials of these specifications.
    Specs(Vec<SpecId>),
    /// Credentials that meet every condition.
    Conditions(Conditions),
}

/// A rule's conditions; `None` is no condition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Conditions {
    /// At least this many ECTS.
    pub min_ects: Option<f64>,
    /// At least this EQF level.
    pub min_eqf: Option<u8>,
    /// In one of these fields (or a narrower one).
    pub fields: Vec<IscedCode>,
    /// These skills, with the share of them needed.
    pub skills: Vec<HttpUrl>,
    /// The share of `skills` needed.
    pub min_skill_overlap: f64,
    /// Assessed in one of these ways.
    pub assessment: Vec<AssessmentKind>,
    /// Quality assurance needed.
    pub quality_assurance: Option<QaNeeded>,
    /// Identity verified in one of these ways.
    pub identity_verification: Vec<IdentityVerification>,
    /// At least this grade.
    pub min_grade: Option<f64>,
    /// Earned within this many years.
    pub within_years: Option<u32>,
}

/// The quality assurance a rule needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QaNeeded {
    /// Internal or external.
    Internal,
    /// External.
    External,
}

/// What a rule grants.
#[derive(Debug, Clone, PartialEq)]
pub enum Grant {
    /// A named home course with its ECTS.
    Course {
        /// Its code.
        code: String,
        /// Its name.
        name: LangMap,
        /// Its ECTS.
        ects: f64,
    },
    /// Elective ECTS.
    Elective {
        /// ECTS per credential.
        ects: f64,
    },
}

impl Grant {
    /// The ECTS one credential earns under it.
    pub fn ects(&self) -> f64 {
        match self {
            Grant::Course { ects, .. } | Grant::Elective { ects } => *ects,
        }
    }
}

fn handle(raw: &str, what: &str) -> Result<String, ValueError> {
    let ok = (2..=64).contains(&raw.len())
        && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && raw.starts_with(|c: char| c.is_ascii_lowercase());
    match ok {
        true => Ok(raw.to_owned()),
        false => Err(ValueError::new(format!(
            "{raw:?} is not a {what}: use 2 to 64 of a-z, 0-9 and '-', starting with a letter"
        ))),
    }
}

fn lang_map(raw: LangMapDocument) -> Result<LangMap, ValueError> {
    LangMap::parse(raw.iter().map(|(tag, text)| (tag.as_str(), text.as_str())), MAX_TEXT)
}

/// A date (`2026-01-01`, the start of that day in UTC) or an RFC 3339 time.
fn date(raw: String) -> Result<Timestamp, ValueError> {
    let full = match raw.len() == 10 {
        true => format!("{raw}T00:00:00Z"),
        false => raw.clone(),
    };
    Timestamp::parse(&full)
        .map_err(|_| ValueError::new(format!("{raw:?} is not a date (2026-01-01) or an RFC 3339 time")))
}

fn ects(raw: f64) -> Result<f64, ValueError> {
    match raw.is_finite() && raw > 0.0 && raw <= 240.0 {
        true => Ok(raw),
        false => Err(ValueError::new(format!("{raw} is not a number of ECTS credits (more than 0, at most 240)"))),
    }
}

fn list<T>(
    p: &mut Problems,
    field: &str,
    raw: Option<Vec<String>>,
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Vec<T> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Vec::new();
    }
    raw.iter().enumerate().filter_map(|(idx, item)| p.check(format!("{field}[{idx}]"), parse(item))).collect()
}

impl AgreementDocument {
    /// Checks every field and builds the agreement, or reports every problem with its path
    /// (`rules[2].conditions.min_eqf`).
    pub fn parse(&self) -> Result<Agreement, Invalid> {
        let mut p = Problems::default();
        let id = p.required("id", self.id.as_deref(), "the agreement's handle", |raw| handle(raw, "handle"));
        let title = p.required("title", self.title.clone(), "a title in at least one language", lang_map);
        let parties = match &self.parties {
            None => {
                p.push("parties", "is required (the institutions the agreement binds, by id)");
                Vec::new()
            }
            Some(raw) => {
                let parties = list(&mut p, "parties", Some(raw.clone()), InstitutionId::parse);
                let mut sorted = parties.clone();
                sorted.sort();
                sorted.dedup();
                if sorted.len() != parties.len() {
                    p.push("parties", "names an institution twice");
                } else if raw.len() < 2 {
                    p.push("parties", "needs at least two institutions");
                } else if raw.len() > MAX_PARTIES {
                    p.push("parties", format!("has more than {MAX_PARTIES} institutions"));
                }
                parties
            }
        };
        let valid_from = p.required("valid_from", self.valid_from.clone(), "when it comes into force", date);
        let valid_until = p.optional("valid_until", self.valid_until.clone(), date).flatten();
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until <= from
        {
            p.push("valid_until", "must be after valid_from");
        }
        let scope = p.optional("scope", self.scope.clone(), lang_map).flatten();
        if self.rules.is_empty() {
            p.push("rules", "needs at least one rule");
        } else if self.rules.len() > MAX_RULES {
            p.push("rules", format!("has more than {MAX_RULES} rules"));
        }
        let rules: Vec<Option<Rule>> = self
            .rules
            .iter()
            .take(MAX_RULES)
            .enumerate()
            .map(|(idx, rule)| rule.parse(&mut p, &format!("rules[{idx}]"), &parties))
            .collect();
        overlaps(&mut p, &rules);
        p.finish(|| {
            Some(Agreement {
                id: id?,
                title: title?,
                parties,
                valid_from: valid_from?,
                valid_until,
                scope,
                rules: rules.into_iter().collect::<Option<Vec<_>>>()?,
            })
        })
    }
}

/// Rules that recognise the same thing twice: two rules of one party with the same id, that
/// grant the same home course, or that select the same specification.
fn overlaps(p: &mut Problems, rules: &[Option<Rule>]) {
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut courses: BTreeMap<(&InstitutionId, &str), usize> = BTreeMap::new();
    let mut specs: BTreeMap<(&InstitutionId, SpecId), usize> = BTreeMap::new();
    for (idx, rule) in rules.iter().enumerate() {
        let Some(rule) = rule else { continue };
        if let Some(first) = ids.insert(&rule.id, idx) {
            p.push(format!("rules[{idx}].id"), format!("{:?} is also the id of rules[{first}]", rule.id));
        }
        if let Grant::Course { code, .. } = &rule.grant
            && let Some(first) = courses.insert((&rule.recognised_by, code), idx)
        {
            p.push(
                format!("rules[{idx}].grants.course.code"),
                format!(
                    "rules[{first}] already grants the course {code} of {}: a course is recognised once",
                    rule.recognised_by
                ),
            );
        }
        if let Selector::Specs(selected) = &rule.selector {
            for spec in selected {
                if let Some(first) = specs.insert((&rule.recognised_by, *spec), idx)
                    && first != idx
                {
                    p.push(
                        format!("rules[{idx}].specs"),
                        format!("rules[{first}] already selects specification {spec} for {}", rule.recognised_by),
                    );
                }
            }
        }
    }
}

impl RuleDocument {
    fn parse(&self, p: &mut Problems, at: &str, parties: &[InstitutionId]) -> Option<Rule> {
        let field = |name: &str| format!("{at}.{name}");
        let id = p.required(&field("id"), self.id.as_deref(), "the rule's id", |raw| handle(raw, "rule id"));
        let recognised_by = p.required(
            &field("recognised_by"),
            self.recognised_by.as_deref(),
            "the party that recognises under this rule",
            InstitutionId::parse,
        );
        if let Some(party) = &recognised_by
            && !parties.is_empty()
            && !parties.contains(party)
        {
            p.push(field("recognised_by"), format!("{party} is not a party to the agreement"));
        }
        let selector = match (&self.specs, &self.conditions) {
            (Some(_), Some(_)) => {
                p.push(at.to_owned(), "selects by specs or by conditions, not both");
                None
            }
            (None, None) => {
                p.push(at.to_owned(), "must select credentials: give specs (specification ids) or conditions");
                None
            }
            (Some(specs), None) if specs.is_empty() => {
                p.push(field("specs"), "names no specification");
                None
            }
            (Some(specs), None) => Some(Selector::Specs(list(p, &field("specs"), Some(specs.clone()), SpecId::parse))),
            (None, Some(conditions)) => conditions.parse(p, &field("conditions")).map(Selector::Conditions),
        };
        let grant = match &self.grants {
            None => {
                p.push(field("grants"), "is required (a course, or elective_ects)");
                None
            }
            Some(grant) => grant.parse(p, &field("grants")),
        };
        let cap_ects = self.grants.as_ref().and_then(|grant| grant.cap_ects);
        let cap_ects = p.optional(&field("grants.cap_ects"), cap_ects, ects).flatten();
        if let (Some(cap), Some(grant)) = (cap_ects, &grant)
            && cap < grant.ects()
        {
            p.push(
                field("grants.cap_ects"),
                format!("{cap} is less than the {} ECTS one credential earns", grant.ects()),
            );
        }
        Some(Rule { id: id?, recognised_by: recognised_by?, selector: selector?, grant: grant?, cap_ects })
    }
}

impl ConditionsDocument {
    fn parse(&self, p: &mut Problems, at: &str) -> Option<Conditions> {
        let field = |name: &str| format!("{at}.{name}");
        let given = [
            self.min_ects.is_some(),
            self.min_eqf.is_some(),
            self.fields.is_some(),
            self.skills.is_some(),
            self.assessment.is_some(),
            self.quality_assurance.is_some(),
            self.identity_verification.is_some(),
            self.min_grade.is_some(),
            self.within_years.is_some(),
        ];
        if !given.contains(&true) {
            p.push(at.to_owned(), "sets no condition");
        }
        let min_ects = p.optional(&field("min_ects"), self.min_ects, ects).flatten();
        let min_eqf = p
            .optional(&field("min_eqf"), self.min_eqf, |level| match (1..=8).contains(&level) {
                true => Ok(level),
                false => Err(ValueError::new(format!("{level} is not an EQF level (1 to 8)"))),
            })
            .flatten();
        let fields = list(p, &field("fields"), self.fields.clone(), IscedCode::parse);
        let skills = list(p, &field("skills"), self.skills.clone(), HttpUrl::parse);
        let min_skill_overlap = match (self.min_skill_overlap, self.skills.is_some()) {
            (Some(_), false) => {
                p.push(field("min_skill_overlap"), "needs skills to overlap with");
                1.0
            }
            (Some(share), true) if !(share > 0.0 && share <= 1.0) => {
                p.push(
                    field("min_skill_overlap"),
                    format!("{share} is not a share of the skills (more than 0, at most 1)"),
                );
                1.0
            }
            (Some(share), true) => share,
            (None, _) => 1.0,
        };
        let assessment = list(p, &field("assessment"), self.assessment.clone(), AssessmentKind::parse);
        let quality_assurance = p
            .optional(&field("quality_assurance"), self.quality_assurance.as_deref(), |raw| match raw {
                "internal" => Ok(QaNeeded::Internal),
                "external" => Ok(QaNeeded::External),
                other => Err(ValueError::new(format!("{other:?} is not internal or external"))),
            })
            .flatten();
        let identity_verification =
            list(p, &field("identity_verification"), self.identity_verification.clone(), IdentityVerification::parse);
        let min_grade = p
            .optional(&field("min_grade"), self.min_grade, |grade| match grade.is_finite() {
                true => Ok(grade),
                false => Err(ValueError::new("is not a number")),
            })
            .flatten();
        let within_years = p
            .optional(&field("within_years"), self.within_years, |years| match (1..=100).contains(&years) {
                true => Ok(years),
                false => Err(ValueError::new(format!("{years} is not a number of years (1 to 100)"))),
            })
            .flatten();
        Some(Conditions {
            min_ects,
            min_eqf,
            fields,
            skills,
            min_skill_overlap,
            assessment,
            quality_assurance,
            identity_verification,
            min_grade,
            within_years,
        })
    }
}

impl GrantDocument {
    fn parse(&self, p: &mut Problems, at: &str) -> Option<Grant> {
        let field = |name: &str| format!("{at}.{name}");
        match (&self.course, self.elective_ects) {
            (Some(_), Some(_)) => {
                p.push(at.to_owned(), "grants a course or elective_ects, not both");
                None
            }
            (None, None) => {
                p.push(at.to_owned(), "grants nothing: give a course, or elective_ects");
                None
            }
            (None, Some(raw)) => p.check(field("elective_ects"), ects(raw)).map(|ects| Grant::Elective { ects }),
            (Some(course), None) => {
                let code = p.required(&field("course.code"), course.code.as_deref(), "the course's code", |raw| {
                    match !raw.trim().is_empty() && raw.len() <= 64 {
                        true => Ok(raw.trim().to_owned()),
                        false => Err(ValueError::new("must have 1 to 64 characters")),
                    }
                });
                let name = p.required(&field("course.name"), course.name.clone(), "the course's name", lang_map);
                let ects = p.required(&field("course.ects"), course.ects, "the course's ECTS credits", ects);
                Some(Grant::Course { code: code?, name: name?, ects: ects? })
            }
        }
    }
}

#[cfg(test)]
mod tests;

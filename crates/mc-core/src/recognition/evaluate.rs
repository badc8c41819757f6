//! Evaluating credentials against recognition agreements: pure, deterministic, and explained
//! rule by rule and condition by condition.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use super::{Agreement, Conditions, Grant, QaNeeded, Rule, Selector};
use crate::{AssessmentKind, IdentityVerification, InstitutionId, SpecId, Timestamp};

/// Where a credential stands after verification: only a valid one is considered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// It verified as valid.
    Valid,
    /// It did not; why, in words (revoked, not trusted, changed after signing…).
    Refused(String),
}

/// What a verified credential says of the award, as recognition needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialFacts {
    /// The credential's id.
    pub id: String,
    /// The institution of this network that issued it, when the issuer is one.
    pub issuer: Option<InstitutionId>,
    /// The issuer as the credential names it (a DID or URL), for explanations.
    pub issuer_name: String,
    /// The specification it awards, when it names one of this network's.
    pub spec: Option<SpecId>,
    /// ECTS credits.
    pub ects: Option<f64>,
    /// EQF level.
    pub eqf: Option<u8>,
    /// ISCED-F field code.
    pub field: Option<String>,
    /// ESCO skill URIs of its learning outcomes.
    pub skills: Vec<String>,
    /// Type of assessment.
    pub assessment: Option<AssessmentKind>,
    /// Internally quality assured.
    pub qa_internal: bool,
    /// Externally quality assured.
    pub qa_external: bool,
    /// Identity verification.
    pub identity_verification: Option<IdentityVerification>,
    /// The grade as written.
    pub grade: Option<String>,
    /// When it was earned.
    pub earned: Timestamp,
    /// Its verification.
    pub standing: Standing,
}

/// A stored agreement with what makes it in force or not.
#[derive(Debug, Clone, Copy)]
pub struct AgreementInForce<'a> {
    /// The agreement.
    pub agreement: &'a Agreement,
    /// Its version (a decision records the one it used).
    pub version: u32,
    /// Whether every party's admin signed it.
    pub signed_by_all: bool,
    /// When a party ended it, if one did.
    pub ended_at: Option<Timestamp>,
}

/// Which condition of a rule a [`ConditionCheck`] tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionKind {
    /// The rule names specifications; is the credential's one of them?
    Specification,
    /// The fewest ECTS credits.
    Ects,
    /// The lowest EQF level.
    Eqf,
    /// The fields of study (ISCED-F).
    Field,
    /// The share of ESCO skills named.
    Skills,
    /// The types of assessment.
    Assessment,
    /// Internal or external quality assurance.
    QualityAssurance,
    /// The kinds of identity verification.
    IdentityVerification,
    /// The lowest grade.
    Grade,
    /// Earned within some years.
    Recency,
}

/// One condition of a rule, tried on a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionCheck {
    /// Which condition.
    pub kind: ConditionKind,
    /// Whether it held.
    pub held: bool,
    /// What was found, in words ("EQF level 6; at least 5 needed").
    pub said: String,
}

/// One rule tried on a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOutcome {
    /// The agreement's handle.
    pub agreement: Arc<str>,
    /// Its version.
    pub version: u32,
    /// The rule's id.
    pub rule: Arc<str>,
    /// Whether it selected the credential.
    pub matched: bool,
    /// Each condition (or the specification match), in order.
    pub checks: Vec<ConditionCheck>,
    /// Why a match grants less or nothing (already counted, cap reached).
    pub note: Option<String>,
}

/// A proposed recognition.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The credential recognised.
    pub credential: String,
    /// The agreement's handle.
    pub agreement: Arc<str>,
    /// Its version.
    pub version: u32,
    /// The rule that grants it.
    pub rule: Arc<str>,
    /// What is granted.
    pub grant: Grant,
    /// The ECTS granted (less than the grant's when a cap is reached).
    pub ects: f64,
}

/// What recognition makes of one credential.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialOutcome {
    /// The credential.
    pub credential: String,
    /// Why it is not considered at all, when it is not.
    pub refused: Option<String>,
    /// What is proposed for it.
    pub proposals: Vec<Proposal>,
    /// Every rule tried, with its explanation.
    pub tried: Vec<RuleOutcome>,
}

/// Proposes what `home` recognises of `credentials` under `agreements`, at `now`: see
/// [`Recognizer::propose`].
pub fn propose(
    home: &InstitutionId,
    credentials: &[CredentialFacts],
    agreements: &[AgreementInForce<'_>],
    now: Timestamp,
) -> Vec<CredentialOutcome> {
    Recognizer::new(home, agreements, now).propose(credentials)
}

/// The agreements of one home institution at one time, indexed by party: built once, it
/// evaluates the credentials of many learners.
pub struct Recognizer<'a> {
    home: &'a InstitutionId,
    agreements: &'a [AgreementInForce<'a>],
    now: Timestamp,
    /// The agreements `home` is a party to, by each of their parties, in order.
    by_party: HashMap<&'a InstitutionId, Vec<usize>>,
    /// Why each agreement is not in force, when it is not.
    why_not_in_force: Vec<Option<String>>,
    /// Each agreement's handle and its rules' ids, shared by the outcomes that name them.
    names: Vec<(Arc<str>, Vec<Arc<str>>)>,
    /// What each rule's conditions need, in words, by agreement and rule.
    needed: Vec<Vec<Option<Needed>>>,
}

impl<'a> Recognizer<'a> {
    /// Indexes `agreements` for `home` at `now`.
    pub fn new(home: &'a InstitutionId, agreements: &'a [AgreementInForce<'a>], now: Timestamp) -> Recognizer<'a> {
        let mut by_party: HashMap<&InstitutionId, Vec<usize>> = HashMap::new();
        let mut why_not_in_force = Vec::with_capacity(agreements.len());
        for (idx, in_force) in agreements.iter().enumerate() {
            why_not_in_force.push(not_in_force(in_force, now));
            if in_force.agreement.parties.contains(home) {
                for party in &in_force.agreement.parties {
                    by_party.entry(party).or_default().push(idx);
                }
            }
        }
        let names = agreements
            .iter()
            .map(|in_force| {
                let agreement = in_force.agreement;
                (
                    Arc::from(agreement.id.as_str()),
                    agreement.rules.iter().map(|rule| Arc::from(rule.id.as_str())).collect(),
                )
            })
            .collect();
        let needed = agreements
            .iter()
            .map(|in_force| {
                let rules = in_force.agreement.rules.iter();
                rules
                    .map(|rule| match &rule.selector {
                        Selector::Conditions(conditions) => Some(Needed::of(conditions)),
                        Selector::Specs(_) => None,
                    })
                    .collect()
            })
            .collect();
        Recognizer { home, agreements, now, by_party, why_not_in_force, names, needed }
    }

    /// Proposes what the home institution recognises of one learner's `credentials`.
    ///
    /// Only valid credentials count, only agreements in force (signed by every party, within
    /// their period, not ended) to which the home institution and the credential's issuer are
    /// both parties, and only rules by which the home institution recognises. Credentials are
    /// taken in order; a home course is granted once, a specification is recognised once per
    /// agreement, a credential by one rule of an agreement at most (the first that grants
    /// something), and a rule's cap bounds the ECTS it grants in all.
    pub fn propose(&self, credentials: &[CredentialFacts]) -> Vec<CredentialOutcome> {
        let (home, now) = (self.home, self.now);
        let mut ledger = Ledger::default();
        let mut outcomes = Vec::with_capacity(credentials.len());
        for credential in credentials {
            let mut outcome = CredentialOutcome {
                credential: credential.id.clone(),
                refused: None,
                proposals: Vec::new(),
                tried: Vec::new(),
            };
            if let Standing::Refused(why) = &credential.standing {
                outcome.refused = Some(format!("the credential does not verify: {why}"));
                outcomes.push(outcome);
                continue;
            }
            let Some(issuer) = &credential.issuer else {
                outcome.refused =
                    Some(format!("{} is not an institution of any agreement of {home}", credential.issuer_name));
                outcomes.push(outcome);
                continue;
            };
            if issuer == home {
                outcome.refused =
                    Some(format!("{home} issued it: an institution does not recognise its own credentials"));
                outcomes.push(outcome);
                continue;
            }
            let mut applicable = 0;
            let mut why_not = Vec::new();
            for &idx in self.by_party.get(issuer).map(Vec::as_slice).unwrap_or_default() {
                let in_force = &self.agreements[idx];
                let agreement = in_force.agreement;
                if let Some(reason) = &self.why_not_in_force[idx] {
                    why_not.push(format!("agreement {} (version {}) {reason}", agreement.id, in_force.version));
                    continue;
                }
                applicable += 1;
                let (agreement_name, rule_names) = &self.names[idx];
                let rules = agreement.rules.iter().enumerate().filter(|(_, rule)| &rule.recognised_by == home);
                for (rule_idx, rule) in rules {
                    let checks = try_rule(rule, self.needed[idx][rule_idx].as_ref(), credential, now);
                    let matched = checks.iter().all(|check| check.held);
                    let mut tried = RuleOutcome {
                        agreement: Arc::clone(agreement_name),
                        version: in_force.version,
                        rule: Arc::clone(&rule_names[rule_idx]),
                        matched,
                        checks,
                        note: None,
                    };
                    let already =
                        outcome.proposals.iter().any(|proposal| Arc::ptr_eq(&proposal.agreement, agreement_name));
                    if matched && already {
                        tried.note = Some("another rule of this agreement already recognises the credential".into());
                    } else if matched {
                        match ledger.grant(rule, (idx, rule_idx), credential) {
                            Ok(ects) => outcome.proposals.push(Proposal {
                                credential: credential.id.clone(),
                                agreement: Arc::clone(agreement_name),
                                version: in_force.version,
                                rule: Arc::clone(&rule_names[rule_idx]),
                                grant: rule.grant.clone(),
                                ects,
                            }),
                            Err(note) => tried.note = Some(note),
                        }
                    }
                    outcome.tried.push(tried);
                }
            }
            if applicable == 0 {
                outcome.refused = Some(match why_not.is_empty() {
                    true => format!("no agreement binds {home} and {issuer}"),
                    false => why_not.join("; "),
                });
            }
            outcomes.push(outcome);
        }
        outcomes
    }
}

/// Why an agreement is not in force at `now`, if it is not.
fn not_in_force(in_force: &AgreementInForce<'_>, now: Timestamp) -> Option<String> {
    let agreement = in_force.agreement;
    if !in_force.signed_by_all {
        return Some("is not signed by every party yet".into());
    }
    if let Some(ended) = in_force.ended_at.filter(|ended| *ended <= now) {
        return Some(format!("was ended on {}", day(ended)));
    }
    if agreement.valid_from > now {
        return Some(format!("comes into force on {}", day(agreement.valid_from)));
    }
    if let Some(until) = agreement.valid_until.filter(|until| *until <= now) {
        return Some(format!("expired on {}", day(until)));
    }
    None
}

fn day(time: Timestamp) -> String {
    time.to_rfc3339().get(..10).unwrap_or_default().to_owned()
}

/// What one learner's evaluation has granted so far.
#[derive(Default)]
struct Ledger<'a> {
    /// Home courses granted, by recognising institution and code.
    courses: HashSet<(&'a InstitutionId, &'a str)>,
    /// ECTS granted by each rule (agreement and rule indexes).
    by_rule: HashMap<(usize, usize), f64>,
    /// The credential recognised for each specification, by agreement index.
    specs: HashMap<(usize, SpecId), String>,
}

impl<'a> Ledger<'a> {
    /// The ECTS `rule` (at `at`: agreement and rule indexes) grants for `credential`, unless
    /// it was counted already or the cap is reached; records what was granted.
    fn grant(&mut self, rule: &'a Rule, at: (usize, usize), credential: &CredentialFacts) -> Result<f64, String> {
        if let Some(spec) = credential.spec
            && let Some(first) = self.specs.get(&(at.0, spec))
        {
            return Err(format!(
                "credential {first} of the same specification is already recognised under this agreement"
            ));
        }
        let course = match &rule.grant {
            Grant::Course { code, .. } => Some((&rule.recognised_by, code.as_str())),
            Grant::Elective { .. } => None,
        };
        if let Some((_, code)) = course.filter(|course| self.courses.contains(course)) {
            return Err(format!("the course {code} is already recognised for another credential"));
        }
        let so_far = self.by_rule.get(&at).copied().unwrap_or(0.0);
        let mut ects = rule.grant.ects();
        if let Some(cap) = rule.cap_ects {
            if so_far >= cap {
                return Err(format!("the rule's cap of {cap} ECTS is reached"));
            }
            ects = ects.min(cap - so_far);
        }
        *self.by_rule.entry(at).or_default() += ects;
        self.courses.extend(course);
        if let Some(spec) = credential.spec {
            self.specs.insert((at.0, spec), credential.id.clone());
        }
        Ok(ects)
    }
}

fn check(kind: ConditionKind, held: bool, said: String) -> ConditionCheck {
    ConditionCheck { kind, held, said }
}

/// Each condition of `rule` (or its specification match) on `credential`.
fn try_rule(rule: &Rule, needed: Option<&Needed>, credential: &CredentialFacts, now: Timestamp) -> Vec<ConditionCheck> {
    match &rule.selector {
        Selector::Specs(specs) => {
            let held = credential.spec.is_some_and(|spec| specs.contains(&spec));
            let said = match (credential.spec, held) {
                (Some(spec), true) => format!("it awards specification {spec}, which the rule names"),
                (Some(spec), false) => format!("it awards specification {spec}, which the rule does not name"),
                (None, _) => "it names no specification of this network".into(),
            };
            vec![check(ConditionKind::Specification, held, said)]
        }
        Selector::Conditions(conditions) => match needed {
            Some(needed) => try_conditions(conditions, needed, credential, now),
            None => try_conditions(conditions, &Needed::of(conditions), credential, now),
        },
    }
}

/// What each condition of a rule needs, in words, made once per rule (the evaluation says it
/// for every credential it tries).
pub(super) struct Needed {
    ects: String,
    eqf: String,
    fields: String,
    skills: String,
    assessment: String,
    identity: String,
    grade: String,
    years: String,
}

impl Needed {
    pub(super) fn of(conditions: &Conditions) -> Needed {
        let join = |items: Vec<&str>, with: &str| items.join(with);
        Needed {
            ects: conditions.min_ects.map(|min| format!("; at least {min} needed")).unwrap_or_default(),
            eqf: conditions.min_eqf.map(|min| format!("; at least {min} needed")).unwrap_or_default(),
            fields: format!(
                "; one of {} needed",
                join(conditions.fields.iter().map(|field| field.as_str()).collect(), ", ")
            ),
            skills: format!("; at least {:.0}% needed", conditions.min_skill_overlap * 100.0),
            assessment: format!(
                "; {} needed",
                join(conditions.assessment.iter().map(|kind| kind.as_str()).collect(), " or ")
            ),
            identity: format!(
                "; {} needed",
                join(conditions.identity_verification.iter().map(|kind| kind.as_str()).collect(), " or ")
            ),
            grade: conditions.min_grade.map(|min| format!("; at least {min} needed")).unwrap_or_default(),
            years: conditions.within_years.map(|years| format!("; within {years} years needed")).unwrap_or_default(),
        }
    }
}

fn try_conditions(
    conditions: &Conditions,
    needed: &Needed,
    credential: &CredentialFacts,
    now: Timestamp,
) -> Vec<ConditionCheck> {
    let mut checks = Vec::with_capacity(4);
    if let Some(min) = conditions.min_ects {
        checks.push(match credential.ects {
            Some(ects) => check(ConditionKind::Ects, ects >= min, format!("{ects} ECTS{}", needed.ects)),
            None => check(ConditionKind::Ects, false, format!("it states no ECTS credits{}", needed.ects)),
        });
    }
    if let Some(min) = conditions.min_eqf {
        checks.push(match credential.eqf {
            Some(level) => check(ConditionKind::Eqf, level >= min, format!("EQF level {level}{}", needed.eqf)),
            None => check(ConditionKind::Eqf, false, format!("it states no EQF level{}", needed.eqf)),
        });
    }
    if !conditions.fields.is_empty() {
        checks.push(match &credential.field {
            Some(field) => check(
                ConditionKind::Field,
                conditions.fields.iter().any(|broad| field.starts_with(broad.as_str())),
                format!("field {field}{}", needed.fields),
            ),
            None => check(ConditionKind::Field, false, format!("it states no field of study{}", needed.fields)),
        });
    }
    if !conditions.skills.is_empty() {
        let found =
            conditions.skills.iter().filter(|skill| credential.skills.iter().any(|own| own == skill.as_str())).count();
        let share = found as f64 / conditions.skills.len() as f64;
        checks.push(check(
            ConditionKind::Skills,
            share + 1e-9 >= conditions.min_skill_overlap,
            format!(
                "{found} of the {} ESCO skills named ({:.0}%){}",
                conditions.skills.len(),
                share * 100.0,
                needed.skills
            ),
        ));
    }
    if !conditions.assessment.is_empty() {
        checks.push(match credential.assessment {
            Some(kind) => check(
                ConditionKind::Assessment,
                conditions.assessment.contains(&kind),
                format!("{kind} assessment{}", needed.assessment),
            ),
            None => {
                check(ConditionKind::Assessment, false, format!("it states no type of assessment{}", needed.assessment))
            }
        });
    }
    if let Some(qa) = conditions.quality_assurance {
        let (held, wanted) = match qa {
            QaNeeded::Internal => (credential.qa_internal || credential.qa_external, "internal or external"),
            QaNeeded::External => (credential.qa_external, "external"),
        };
        let has = match (credential.qa_internal, credential.qa_external) {
            (_, true) => "external quality assurance",
            (true, false) => "internal quality assurance",
            (false, false) => "no quality assurance stated",
        };
        checks.push(check(ConditionKind::QualityAssurance, held, format!("{has}; {wanted} needed")));
    }
    if !conditions.identity_verification.is_empty() {
        checks.push(match credential.identity_verification {
            Some(kind) => check(
                ConditionKind::IdentityVerification,
                conditions.identity_verification.contains(&kind),
                format!("identity verification {kind}{}", needed.identity),
            ),
            None => check(
                ConditionKind::IdentityVerification,
                false,
                format!("it states no identity verification{}", needed.identity),
            ),
        });
    }
    if let Some(min) = conditions.min_grade {
        checks.push(match credential.grade.as_deref().map(|grade| (grade, numeric(grade))) {
            Some((grade, Some(value))) => {
                check(ConditionKind::Grade, value >= min, format!("grade {grade}{}", needed.grade))
            }
            Some((grade, None)) => {
                check(ConditionKind::Grade, false, format!("the grade {grade:?} is not a number{}", needed.grade))
            }
            None => check(ConditionKind::Grade, false, format!("it states no grade{}", needed.grade)),
        });
    }
    if let Some(years) = conditions.within_years {
        let limit = Timestamp::from_unix(
            now.unix_seconds() - i64::from(years) * 365 * 86_400 - i64::from(years / 4) * 86_400,
            0,
        );
        checks.push(check(
            ConditionKind::Recency,
            credential.earned >= limit,
            format!("earned on {}{}", day(credential.earned), needed.years),
        ));
    }
    checks
}

/// The number a grade starts with: `8.5`, `9,5 (sobresaliente)` → 9.5; `A` → none.
fn numeric(grade: &str) -> Option<f64> {
    let number: String = grade
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    number.parse().ok().filter(|value: &f64| value.is_finite())
}

/// A way a specification's credentials are recognised elsewhere: a rule of an agreement in
/// force by which another party recognises them, for the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognition {
    /// The agreement's handle.
    pub agreement: String,
    /// The agreement's title.
    pub agreement_title: crate::LangMap,
    /// Its version.
    pub version: u32,
    /// The institution that recognises.
    pub recognised_by: InstitutionId,
    /// The rule.
    pub rule: String,
    /// What a credential is recognised as.
    pub grant: Grant,
    /// What a credential must also show, which the specification cannot: a minimum grade,
    /// being recent enough.
    pub provided: Provided,
}

/// The conditions of a rule that depend on the credential rather than the specification.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Provided {
    /// A grade of at least this.
    pub min_grade: Option<f64>,
    /// Earned within this many years.
    pub within_years: Option<u32>,
}

/// Where credentials of `spec` (issued by its first awarding body) are recognised under
/// `agreements` in force at `now`: rules that name the specification, and rules whose
/// conditions the specification meets (grade and recency aside, which each credential shows).
pub fn recognitions_of(spec: &crate::Spec, agreements: &[AgreementInForce<'_>], now: Timestamp) -> Vec<Recognition> {
    let Some(issuer) = spec.awarding_bodies().first() else { return Vec::new() };
    let qa = spec.quality_assurance();
    let facts = CredentialFacts {
        id: String::new(),
        issuer: Some(issuer.clone()),
        issuer_name: String::new(),
        spec: Some(spec.id()),
        ects: spec.workload().ects(),
        eqf: spec.eqf_level().map(|level| level.get()),
        field: spec.isced_f().map(|code| code.as_str().to_owned()),
        skills: spec
            .learning_outcomes()
            .iter()
            .filter_map(|outcome| outcome.skill())
            .map(|skill| skill.as_str().to_owned())
            .collect(),
        assessment: Some(spec.assessment().kind()),
        qa_internal: qa.internal(),
        qa_external: qa.external(),
        identity_verification: spec.identity_verification(),
        grade: None,
        earned: now,
        standing: Standing::Valid,
    };
    let mut found = Vec::new();
    for in_force in agreements {
        let agreement = in_force.agreement;
        if not_in_force(in_force, now).is_some() || !agreement.parties.contains(issuer) {
            continue;
        }
        for rule in agreement.rules.iter().filter(|rule| &rule.recognised_by != issuer) {
            let provided = match &rule.selector {
                Selector::Specs(specs) if specs.contains(&spec.id()) => Provided::default(),
                Selector::Specs(_) => continue,
                Selector::Conditions(conditions) => {
                    let on_spec = Conditions { min_grade: None, within_years: None, ..conditions.clone() };
                    if !try_conditions(&on_spec, &Needed::of(&on_spec), &facts, now).iter().all(|check| check.held) {
                        continue;
                    }
                    Provided { min_grade: conditions.min_grade, within_years: conditions.within_years }
                }
            };
            found.push(Recognition {
                agreement: agreement.id.clone(),
                agreement_title: agreement.title.clone(),
                version: in_force.version,
                recognised_by: rule.recognised_by.clone(),
                rule: rule.id.clone(),
                grant: rule.grant.clone(),
                provided,
            });
        }
    }
    found
}

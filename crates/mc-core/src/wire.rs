//! The project's own document formats for institutions, learners and specifications, as read
//! from JSON or TOML files and the API, and as stored.
//!
//! A document holds raw values; [`SpecDocument::parse`] and its siblings turn it into a domain
//! value, reporting every problem with the path of its field. Converting a domain value back
//! gives its canonical document, so `parse` of that document gives the same value again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    error::{Invalid, Problems, ValueError},
    ids::{InstitutionId, LearnerId, SpecId},
    institution::Institution,
    lang::{LangMap, LanguageTag},
    learner::{Email, Learner},
    spec::{
        Assessment, AssessmentKind, AssessmentMethod, EqfLevel, IdentityVerification, IscedCode, LearningOutcome,
        Participation, QfEheaCycle, QualityAssurance, Spec, Stackability, StackabilityOption, Workload,
    },
    values::{Country, Did, HttpUrl, PlainText},
};

/// Text by language tag, as written in a document.
pub type LangMapDocument = BTreeMap<String, String>;

/// The longest title accepted, in one language.
const MAX_TITLE_CHARS: usize = 500;
/// The longest long text accepted (descriptions, outcomes), in one language.
const MAX_TEXT_CHARS: usize = 20_000;
/// The longest skill name accepted, in one language.
const MAX_SKILL_NAME_CHARS: usize = 500;
/// The most learning outcomes a specification may list.
const MAX_OUTCOMES: usize = 100;

fn lang_map(raw: &LangMapDocument, max_chars: usize) -> Result<LangMap, ValueError> {
    LangMap::parse(raw.iter().map(|(tag, text)| (tag.as_str(), text.as_str())), max_chars)
}

fn lang_map_document(map: &LangMap) -> LangMapDocument {
    map.iter().map(|(tag, text)| (tag.as_str().to_owned(), text.to_owned())).collect()
}

/// An institution, as written in a file or sent to the API.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionDocument {
    /// The handle, such as `uca`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The legal name by language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<LangMapDocument>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// National register number, VAT number, Erasmus code or similar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_identifier: Option<String>,
    /// The institution's website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// The DID the institution issues as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub did: Option<String>,
}

impl InstitutionDocument {
    /// Checks every field and builds the institution.
    pub fn parse(&self) -> Result<Institution, Invalid> {
        let mut p = Problems::default();
        let id = p.required("id", self.id.as_deref(), "the institution's handle", InstitutionId::parse);
        let name = p
            .required("name", self.name.as_ref(), "the institution's legal name", |raw| lang_map(raw, MAX_TITLE_CHARS));
        let country = p.required("country", self.country.as_deref(), "ISO 3166-1 alpha-2 code", Country::parse);
        let legal_identifier = p.required(
            "legal_identifier",
            self.legal_identifier.as_deref(),
            "national register, VAT or Erasmus code",
            |raw| PlainText::parse(raw, Institution::MAX_LEGAL_IDENTIFIER_CHARS),
        );
        let website = p.optional("website", self.website.as_deref(), HttpUrl::parse);
        let did = p.optional("did", self.did.as_deref(), Did::parse);
        p.finish(|| {
            Some(Institution {
                id: id?,
                name: name?,
                country: country?,
                legal_identifier: legal_identifier?,
                website: website?,
                did: did?,
            })
        })
    }
}

impl From<&Institution> for InstitutionDocument {
    fn from(institution: &Institution) -> InstitutionDocument {
        InstitutionDocument {
            id: Some(institution.id.as_str().to_owned()),
            name: Some(lang_map_document(&institution.name)),
            country: Some(institution.country.code().to_owned()),
            legal_identifier: Some(institution.legal_identifier.as_str().to_owned()),
            website: institution.website.as_ref().map(|url| url.as_str().to_owned()),
            did: institution.did.as_ref().map(|did| did.as_str().to_owned()),
        }
    }
}

/// A learner, as written in a file or sent to the API.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnerDocument {
    /// The learner's id; a new one is made when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The DID the learner holds credentials as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub did: Option<String>,
}

impl LearnerDocument {
    /// Checks every field and builds the learner, with `new_id` when the document has no id.
    pub fn parse(&self, new_id: LearnerId) -> Result<Learner, Invalid> {
        let mut p = Problems::default();
        let id = p.optional("id", self.id.as_deref(), LearnerId::parse);
        let name = p.required("name", self.name.as_deref(), "the learner's full name", |raw| {
            PlainText::parse(raw, Learner::MAX_NAME_CHARS)
        });
        let email = p.required("email", self.email.as_deref(), "the learner's email address", Email::parse);
        let did = p.optional("did", self.did.as_deref(), Did::parse);
        p.finish(|| Some(Learner { id: id?.unwrap_or(new_id), name: name?, email: email?, did: did? }))
    }
}

impl From<&Learner> for LearnerDocument {
    fn from(learner: &Learner) -> LearnerDocument {
        LearnerDocument {
            id: Some(learner.id.to_string()),
            name: Some(learner.name.as_str().to_owned()),
            email: Some(learner.email.as_str().to_owned()),
            did: learner.did.as_ref().map(|did| did.as_str().to_owned()),
        }
    }
}

/// The notional workload, as written in a document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadDocument {
    /// ECTS credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ects: Option<f64>,
    /// Hours of study.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<i64>,
}

/// A learning outcome, as written in a document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearningOutcomeDocument {
    /// The outcome's statement by language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<LangMapDocument>,
    /// The URI of the skill it is linked to (ESCO where possible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill: Option<String>,
    /// The skill's name by language tag (ESCO's preferred label), which pages show instead of
    /// the URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill_name: Option<LangMapDocument>,
}

/// The type of assessment, as written in a document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentDocument {
    /// `summative`, `formative` or `self-assessment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Assessment methods such as `written-exam` or `project`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    /// A description by language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LangMapDocument>,
}

/// The type of quality assurance, as written in a document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityAssuranceDocument {
    /// Covered by the institution's internal quality assurance.
    #[serde(default)]
    pub internal: bool,
    /// Reviewed by an external quality assurance body.
    #[serde(default)]
    pub external: bool,
    /// The external body's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// A description by language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LangMapDocument>,
}

/// Integration and stackability options, as written in a document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackabilityDocument {
    /// `stand-alone`, `integrated` or `stackable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// What it integrates into or stacks towards, by language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub towards: Option<LangMapDocument>,
}

/// A micro-credential specification, as written in a file or sent to the API. The format is
/// described in `docs/spec-format.md`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "the fields are the elements documented on `Spec`")]
pub struct SpecDocument {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awarding_bodies: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LangMapDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LangMapDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learning_outcomes: Option<Vec<LearningOutcomeDocument>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eqf_level: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qf_ehea_cycle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isced_f: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<AssessmentDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_assurance: Option<QualityAssuranceDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prerequisites: Option<LangMapDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_verification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grading_scheme: Option<LangMapDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stackability: Option<StackabilityDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub further_information: Option<LangMapDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
}

/// Parses a non-empty list without repeats, naming the item that is wrong.
fn distinct_list<T: PartialEq>(
    p: &mut Problems,
    field: &str,
    raw: &[String],
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Option<Vec<T>> {
    if raw.is_empty() {
        p.push(field, crate::error::MISSING[1]);
        return None;
    }
    let mut items = Vec::with_capacity(raw.len());
    let mut ok = true;
    for (idx, item) in raw.iter().enumerate() {
        match parse(item) {
            Ok(value) if items.contains(&value) => {
                p.push(format!("{field}[{idx}]"), format!("{item:?} is listed twice"));
                ok = false;
            }
            Ok(value) => items.push(value),
            Err(err) => {
                p.check::<()>(format!("{field}[{idx}]"), Err(err));
                ok = false;
            }
        }
    }
    ok.then_some(items)
}

impl SpecDocument {
    /// Checks every element and builds the specification, with `new_id` when the document has no
    /// id. Every problem is reported, each with the path of its field.
    pub fn parse(&self, new_id: SpecId) -> Result<Spec, Invalid> {
        let mut p = Problems::default();
        let id = p.optional("id", self.id.as_deref(), SpecId::parse);
        let awarding_bodies = match &self.awarding_bodies {
            None => {
                p.push("awarding_bodies", "is required (Annex I element 4: awarding body)");
                None
            }
            Some(raw) => distinct_list(&mut p, "awarding_bodies", raw, InstitutionId::parse),
        };
        let languages = match &self.languages {
            None => {
                p.push("languages", "is required (the languages of instruction and assessment)");
                None
            }
            Some(raw) => distinct_list(&mut p, "languages", raw, LanguageTag::parse),
        };
        let default_language = match (&self.default_language, &languages) {
            (Some(raw), _) => p.check("default_language", LanguageTag::parse(raw)),
            (None, Some(languages)) => Some(languages[0].clone()),
            (None, None) => None,
        };
        let title =
            p.required("title", self.title.as_ref(), "Annex I element 2: title of the micro-credential", |raw| {
                lang_map(raw, MAX_TITLE_CHARS)
            });
        if let (Some(title), Some(language)) = (&title, &default_language)
            && !title.has(language)
        {
            p.push("title", format!("has no text in the default language {language}"));
        }
        let description = p.optional("description", self.description.as_ref(), |raw| lang_map(raw, MAX_TEXT_CHARS));
        let learning_outcomes = self.parse_outcomes(&mut p);
        let workload = p.required("workload", self.workload.as_ref(), "Annex I element 7: notional workload", |raw| {
            Workload::parse(raw.ects, raw.hours)
        });
        let eqf_level = p.optional("eqf_level", self.eqf_level, EqfLevel::parse);
        let qf_ehea_cycle = p.optional("qf_ehea_cycle", self.qf_ehea_cycle.as_deref(), QfEheaCycle::parse);
        if let (Some(Some(cycle)), Some(eqf_level)) = (qf_ehea_cycle, eqf_level) {
            let expected = cycle.eqf_level();
            match eqf_level {
                Some(level) if level == expected => {}
                Some(level) => p.push(
                    "qf_ehea_cycle",
                    format!("the {cycle} cycle is EQF level {expected}, but eqf_level is {level}"),
                ),
                None => p.push("qf_ehea_cycle", format!("the {cycle} cycle needs eqf_level {expected} as well")),
            }
        }
        let isced_f = p.optional("isced_f", self.isced_f.as_deref(), IscedCode::parse);
        let assessment = match &self.assessment {
            None => {
                p.push("assessment", "is required (Annex I element 9: type of assessment)");
                None
            }
            Some(raw) => parse_assessment(&mut p, raw),
        };
        let participation = p.required(
            "participation",
            self.participation.as_deref(),
            "Annex I element 10: form of participation",
            Participation::parse,
        );
        let quality_assurance = match &self.quality_assurance {
            None => {
                p.push("quality_assurance", "is required (Annex I element 11: type of quality assurance)");
                None
            }
            Some(raw) => parse_quality_assurance(&mut p, raw),
        };
        let prerequisites =
            p.optional("prerequisites", self.prerequisites.as_ref(), |raw| lang_map(raw, MAX_TEXT_CHARS));
        let identity_verification =
            p.optional("identity_verification", self.identity_verification.as_deref(), IdentityVerification::parse);
        let grading_scheme =
            p.optional("grading_scheme", self.grading_scheme.as_ref(), |raw| lang_map(raw, MAX_TEXT_CHARS));
        let stackability = match &self.stackability {
            None => Some(None),
            Some(raw) => {
                let option = p.required(
                    "stackability.option",
                    raw.option.as_deref(),
                    "stand-alone, integrated or stackable",
                    StackabilityOption::parse,
                );
                let towards =
                    p.optional("stackability.towards", raw.towards.as_ref(), |raw| lang_map(raw, MAX_TEXT_CHARS));
                option.zip(towards).map(|(option, towards)| Some(Stackability { option, towards }))
            }
        };
        let further_information =
            p.optional("further_information", self.further_information.as_ref(), |raw| lang_map(raw, MAX_TEXT_CHARS));
        let homepage = p.optional("homepage", self.homepage.as_deref(), HttpUrl::parse);
        p.finish(|| {
            Some(Spec {
                id: id?.unwrap_or(new_id),
                awarding_bodies: awarding_bodies?,
                default_language: default_language?,
                languages: languages?,
                title: title?,
                description: description?,
                learning_outcomes: learning_outcomes?,
                workload: workload?,
                eqf_level: eqf_level?,
                qf_ehea_cycle: qf_ehea_cycle?,
                isced_f: isced_f?,
                assessment: assessment?,
                participation: participation?,
                quality_assurance: quality_assurance?,
                prerequisites: prerequisites?,
                identity_verification: identity_verification?,
                grading_scheme: grading_scheme?,
                stackability: stackability?,
                further_information: further_information?,
                homepage: homepage?,
            })
        })
    }

    fn parse_outcomes(&self, p: &mut Problems) -> Option<Vec<LearningOutcome>> {
        let Some(raw) = &self.learning_outcomes else {
            p.push("learning_outcomes", "is required (Annex I element 6: learning outcomes)");
            return None;
        };
        if raw.is_empty() {
            let missing = crate::error::MISSING[1];
            p.push("learning_outcomes", format!("{missing} learning outcome (Annex I element 6)"));
            return None;
        }
        if raw.len() > MAX_OUTCOMES {
            p.push("learning_outcomes", format!("lists {} outcomes; at most {MAX_OUTCOMES} are allowed", raw.len()));
            return None;
        }
        let mut outcomes = Vec::with_capacity(raw.len());
        for (idx, outcome) in raw.iter().enumerate() {
            let text = p.required(
                &format!("learning_outcomes[{idx}].text"),
                outcome.text.as_ref(),
                "the outcome's statement",
                |raw| lang_map(raw, MAX_TEXT_CHARS),
            );
            let skill =
                p.optional(&format!("learning_outcomes[{idx}].skill"), outcome.skill.as_deref(), HttpUrl::parse);
            let name_field = format!("learning_outcomes[{idx}].skill_name");
            let skill_name =
                p.optional(&name_field, outcome.skill_name.as_ref(), |raw| lang_map(raw, MAX_SKILL_NAME_CHARS));
            if outcome.skill_name.is_some() && outcome.skill.is_none() {
                p.push(name_field, "names a skill, but the outcome has no skill URI (`skill`) to go with it");
                continue;
            }
            if let (Some(text), Some(skill), Some(skill_name)) = (text, skill, skill_name) {
                outcomes.push(LearningOutcome { text, skill, skill_name });
            }
        }
        (outcomes.len() == raw.len()).then_some(outcomes)
    }
}

fn parse_assessment(p: &mut Problems, raw: &AssessmentDocument) -> Option<Assessment> {
    let kind = p.required(
        "assessment.kind",
        raw.kind.as_deref(),
        "summative, formative or self-assessment",
        AssessmentKind::parse,
    );
    let methods = match &raw.methods {
        None => {
            p.push("assessment.methods", "is required (how the outcomes are assessed, such as written-exam)");
            None
        }
        Some(methods) => distinct_list(p, "assessment.methods", methods, AssessmentMethod::parse),
    };
    let description =
        p.optional("assessment.description", raw.description.as_ref(), |raw| lang_map(raw, MAX_TEXT_CHARS));
    Some(Assessment { kind: kind?, methods: methods?, description: description? })
}

fn parse_quality_assurance(p: &mut Problems, raw: &QualityAssuranceDocument) -> Option<QualityAssurance> {
    let mut ok = true;
    if !raw.internal && !raw.external {
        p.push("quality_assurance", "name the type of quality assurance: set internal, external or both to true");
        ok = false;
    }
    let body = p.optional("quality_assurance.body", raw.body.as_deref(), |raw| PlainText::parse(raw, 200));
    if let Some(Some(_)) = &body
        && !raw.external
    {
        p.push("quality_assurance.body", "names an external quality assurance body, so external must be true");
        ok = false;
    }
    let description =
        p.optional("quality_assurance.description", raw.description.as_ref(), |raw| lang_map(raw, MAX_TEXT_CHARS));
    ok.then_some(())?;
    Some(QualityAssurance {
        internal: raw.internal,
        external: raw.external,
        body: body?.map(|body| body.as_str().to_owned()),
        description: description?,
    })
}

impl From<&Spec> for SpecDocument {
    fn from(spec: &Spec) -> SpecDocument {
        let names = |items: &[LanguageTag]| items.iter().map(|item| item.as_str().to_owned()).collect();
        let text = |map: Option<&LangMap>| map.map(lang_map_document);
        SpecDocument {
            id: Some(spec.id.to_string()),
            awarding_bodies: Some(spec.awarding_bodies.iter().map(|id| id.as_str().to_owned()).collect()),
            default_language: Some(spec.default_language.as_str().to_owned()),
            languages: Some(names(&spec.languages)),
            title: Some(lang_map_document(&spec.title)),
            description: text(spec.description.as_ref()),
            learning_outcomes: Some(
                spec.learning_outcomes
                    .iter()
                    .map(|outcome| LearningOutcomeDocument {
                        text: Some(lang_map_document(&outcome.text)),
                        skill: outcome.skill.as_ref().map(|skill| skill.as_str().to_owned()),
                        skill_name: outcome.skill_name.as_ref().map(lang_map_document),
                    })
                    .collect(),
            ),
            workload: Some(WorkloadDocument {
                ects: spec.workload.ects(),
                hours: spec.workload.hours().map(i64::from),
            }),
            eqf_level: spec.eqf_level.map(|level| i64::from(level.get())),
            qf_ehea_cycle: spec.qf_ehea_cycle.map(|cycle| cycle.as_str().to_owned()),
            isced_f: spec.isced_f.as_ref().map(|code| code.as_str().to_owned()),
            assessment: Some(AssessmentDocument {
                kind: Some(spec.assessment.kind.as_str().to_owned()),
                methods: Some(spec.assessment.methods.iter().map(|method| method.as_str().to_owned()).collect()),
                description: text(spec.assessment.description.as_ref()),
            }),
            participation: Some(spec.participation.as_str().to_owned()),
            quality_assurance: Some(QualityAssuranceDocument {
                internal: spec.quality_assurance.internal,
                external: spec.quality_assurance.external,
                body: spec.quality_assurance.body.clone(),
                description: text(spec.quality_assurance.description.as_ref()),
            }),
            prerequisites: text(spec.prerequisites.as_ref()),
            identity_verification: spec.identity_verification.map(|it| it.as_str().to_owned()),
            grading_scheme: text(spec.grading_scheme.as_ref()),
            stackability: spec.stackability.as_ref().map(|stackability| StackabilityDocument {
                option: Some(stackability.option.as_str().to_owned()),
                towards: text(stackability.towards.as_ref()),
            }),
            further_information: text(spec.further_information.as_ref()),
            homepage: spec.homepage.as_ref().map(|url| url.as_str().to_owned()),
        }
    }
}

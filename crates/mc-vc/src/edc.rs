//! European Digital Credentials (European Learning Model v3) of an award: the
//! `EuropeanDigitalCredential` that microcred seals with JAdES, the check of a credential against
//! the rules of the EDC application profile that matter, and a reading of what one says.
//!
//! The credential holds the learner (a `Person`) and one `LearningAchievement` claim, awarded by
//! the specification's awarding bodies and specified by the specification in ELM
//! ([`mc_core::elm::to_elm`], every Annex I element, in every language it has), with its
//! version as an identifier. Its `displayParameter` carries a picture of the credential in each
//! of the specification's languages (SVG), its `credentialSchema` names the EDC SHACL profile, and
//! its revocation entry is a Bitstring Status List entry typed as an ELM `CredentialStatus`: the
//! same bit as the Open Badges credential of the same award, so that revoking one revokes both.

use mc_core::{
    Institution, LangMap, Spec,
    elm::{EQF, ISCED, LANGUAGE},
    quality::Severity,
};
use serde_json::{Map, Value, json};

use crate::{
    badge::{Award, BadgeContent},
    contexts,
    status::{StatusEntry, StatusPurpose},
};

/// The SHACL profile microcred's credentials follow: the generic profile with the controlled
/// vocabularies.
pub const PROFILE: &str = "http://data.europa.eu/snb/model/ap/edc-generic-full";
/// The type ELM 3.2 gives a credential status entry.
const CREDENTIAL_STATUS: &str = "http://data.europa.eu/snb/model/elm/CredentialStatus";
/// The credential profile "Generic".
const GENERIC_PROFILE: &str = "http://data.europa.eu/snb/credential/e34929035b";
const COUNTRY: &str = "http://publications.europa.eu/resource/authority/country/";
const ESCO_SKILL: &str = "http://data.europa.eu/esco/skill/";
const BASE64: &str = "http://data.europa.eu/snb/encoding/6146cde7dd";
const SVG: &str = "http://publications.europa.eu/resource/authority/file-type/SVG";
/// The scheme of the identifier that names the specification's version.
const VERSION_SCHEME: &str = "microcred specification version";
/// The scheme of the identifier that names the Open Badges credential of the same award.
pub const OPEN_BADGE_SCHEME: &str = "Open Badges 3.0 credential";

fn concept(id: &str, label: &str) -> Value {
    let mut value = json!({"id": id, "type": "Concept", "prefLabel": {"en": label}});
    if let Some(scheme) = mc_core::elm::scheme_of(id) {
        value["inScheme"] = json!({"id": scheme, "type": "ConceptScheme"});
    }
    value
}

fn texts(map: &LangMap) -> Value {
    Value::Object(map.iter().map(|(tag, text)| (tag.as_str().to_owned(), Value::String(text.to_owned()))).collect())
}

fn country(institution: &Institution) -> Value {
    let code = institution.country();
    concept(&format!("{COUNTRY}{}", code.alpha3()), code.name())
}

/// An institution as an ELM `Organisation`: its legal name, its legal identifier (as its eIDAS
/// identifier: the one an eIDAS seal certificate carries), its country and website.
fn organisation(institution: &Institution, id: &str) -> Value {
    let mut organisation = json!({
        "id": id,
        "type": "Organisation",
        "legalName": texts(institution.name()),
        "eIDASIdentifier": {
            "id": format!("{id}#legal-identifier"),
            "type": "LegalIdentifier",
            "notation": institution.legal_identifier(),
            "spatial": country(institution),
        },
        "location": {
            "id": format!("{id}#location"),
            "type": "Location",
            "address": {"id": format!("{id}#address"), "type": "Address", "countryCode": country(institution)},
        },
    });
    if let Some(website) = institution.website() {
        organisation["homepage"] =
            json!({"id": format!("{id}#homepage"), "type": "WebResource", "contentURL": website.as_str()});
    }
    organisation
}

/// The id an awarding body has in the specification's ELM form.
fn body_id(institution: &Institution) -> String {
    format!("https://w3id.org/microcred/vocab#institution-{}", institution.id())
}

/// Builds the unsigned European Digital Credential of `award` of `spec`. `awarding_bodies` are
/// the specification's awarding bodies, in its order; the first one issues. The award's
/// `counterpart` is the Open Badges credential of the same award, when there is one.
pub fn european_digital_credential(
    spec: &Spec,
    awarding_bodies: &[&Institution],
    award: &Award<'_>,
) -> Map<String, Value> {
    let institution = awarding_bodies.first().expect("a specification has at least one awarding body");

    let mut specification = mc_core::elm::to_elm(spec);
    specification["identifier"] = json!([{
        "id": format!("{}#version-{}", specification["id"].as_str().unwrap_or_default(), award.spec_version),
        "type": "Identifier",
        "schemeName": VERSION_SCHEME,
        "notation": award.spec_version.to_string(),
    }]);
    let bodies: Vec<Value> = awarding_bodies.iter().map(|body| organisation(body, &body_id(body))).collect();
    // The specification names its awarding bodies; the credential describes them in full.
    specification["awardingOpportunity"][0]["awardingBody"] = bodies.clone().into();
    let mut achievement = json!({
        "id": format!("{}#achievement", award.id),
        "type": "LearningAchievement",
        "title": texts(spec.title()),
        "awardedBy": {
            "id": format!("{}#awarding", award.id),
            "type": "AwardingProcess",
            "awardingBody": bodies,
            "awardingDate": award.awarded.unwrap_or(award.issued).to_rfc3339(),
        },
        "specifiedBy": specification,
    });
    if let Some(description) = spec.description() {
        achievement["description"] = texts(description);
    }
    if let Some(grade) = award.grade {
        achievement["provenBy"] = json!([{
            "id": format!("{}#assessment", award.id),
            "type": "LearningAssessment",
            "title": texts(spec.title()),
            "grade": {"id": format!("{}#grade", award.id), "type": "Note", "noteLiteral": {spec.default_language().as_str(): grade}},
            "awardedBy": {"id": format!("{}#awarding", award.id)},
            "specifiedBy": {"id": format!("urn:uuid:{}#assessment", spec.id())},
        }]);
    }

    let envelope = Envelope {
        id: award.id,
        institution,
        issuer_id: award.issuer_id,
        issued: award.issued,
        learner: award.learner,
        language: spec.default_language(),
    };
    let mut credential = envelope.credential(achievement);
    if let Some(until) = award.valid_until {
        credential.insert("expirationDate".into(), until.to_rfc3339().into());
        credential.insert("validUntil".into(), until.to_rfc3339().into());
    }
    if let Some(counterpart) = award.counterpart {
        credential.insert(
            "identifier".into(),
            json!([{"id": format!("{}#open-badge", award.id), "type": "Identifier", "schemeName": OPEN_BADGE_SCHEME, "notation": counterpart}]),
        );
    }
    // The profile allows one status entry: revocation (a suspension is not expressed in EDC).
    if let Some(entry) = award.status.iter().find(|entry| entry.purpose == StatusPurpose::Revocation) {
        credential.insert("credentialStatus".into(), status_entry(entry));
    }
    credential.insert("displayParameter".into(), display(spec, institution, award));
    credential
}

/// What every European Digital Credential of microcred has around its claim.
struct Envelope<'a> {
    id: &'a str,
    institution: &'a Institution,
    issuer_id: &'a str,
    issued: mc_core::Timestamp,
    learner: &'a mc_core::Learner,
    /// The language of the learner's name.
    language: &'a mc_core::LanguageTag,
}

impl Envelope<'_> {
    /// The credential of `claim` (a `LearningAchievement`) for the learner, issued by the
    /// institution: contexts, types, profile, schema, issuer, dates and the subject.
    fn credential(&self, claim: Value) -> Map<String, Value> {
        let learner = self.learner;
        let mut subject = json!({
            "type": "Person",
            "fullName": {self.language.as_str(): learner.name()},
            "contactPoint": {
                "id": format!("{}#contact", self.id),
                "type": "ContactPoint",
                "emailAddress": {"id": format!("mailto:{}", learner.email()), "type": "Mailbox"},
            },
            "hasClaim": [claim],
        });
        subject["id"] = match learner.did() {
            Some(did) => did.as_str().into(),
            None => format!("{}#learner", self.id).into(),
        };
        let issued = self.issued.to_rfc3339();
        let mut credential = Map::new();
        credential.insert(
            "@context".into(),
            json!([contexts::CREDENTIALS_V1, contexts::EDC_AP, "https://www.w3.org/ns/credentials/status/v1"]),
        );
        credential.insert("id".into(), self.id.into());
        credential.insert("type".into(), json!(["VerifiableCredential", "EuropeanDigitalCredential"]));
        credential.insert("credentialProfiles".into(), json!([concept(GENERIC_PROFILE, "Generic")]));
        credential.insert("credentialSchema".into(), json!([{"id": PROFILE, "type": "ShaclValidator2017"}]));
        credential.insert("issuer".into(), organisation(self.institution, self.issuer_id));
        credential.insert("issuanceDate".into(), issued.clone().into());
        credential.insert("issued".into(), issued.clone().into());
        credential.insert("validFrom".into(), issued.into());
        credential.insert("credentialSubject".into(), subject);
        credential
    }
}

/// A part of a stacked credential, as its European Digital Credential names it.
pub struct StackedPart<'a> {
    /// The part's credential id.
    pub credential: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The language of its title.
    pub language: &'a str,
    /// The institution that awarded it.
    pub awarded_by: &'a Institution,
    /// When it was awarded.
    pub awarded: mc_core::Timestamp,
}

/// Builds the unsigned European Digital Credential of a stacked credential: one
/// `LearningAchievement` of the pathway, awarded by its institution and specified by a
/// `LearningAchievementSpecification` with the pathway's title, criteria and the ECTS counted,
/// whose parts (ELM `hasPart`) are the learning achievements counted, each awarded by its
/// institution and naming its credential.
pub fn stacked_edc(
    institution: &Institution,
    award: &crate::badge::StackedAward<'_>,
    parts: &[StackedPart<'_>],
) -> Map<String, Value> {
    let id = award.id;
    let issued = award.issued.to_rfc3339();
    let specification_id = format!("urn:microcred:pathway:{}", award.pathway);
    let has_part: Vec<Value> = parts
        .iter()
        .enumerate()
        .map(|(idx, part)| {
            let node = format!("{id}#part-{}", idx + 1);
            json!({
                "id": node,
                "type": "LearningAchievement",
                "title": {part.language: part.title},
                "awardedBy": {
                    "id": format!("{node}-awarding"),
                    "type": "AwardingProcess",
                    "awardingBody": [organisation(part.awarded_by, &body_id(part.awarded_by))],
                    "awardingDate": part.awarded.to_rfc3339(),
                },
                "identifier": [{
                    "id": format!("{node}-credential"),
                    "type": "Identifier",
                    "schemeName": "Verifiable Credential",
                    "notation": part.credential,
                }],
            })
        })
        .collect();
    let achievement = json!({
        "id": format!("{id}#achievement"),
        "type": "LearningAchievement",
        "title": texts(award.title),
        "awardedBy": {
            "id": format!("{id}#awarding"),
            "type": "AwardingProcess",
            "awardingBody": [organisation(institution, &body_id(institution))],
            "awardingDate": issued,
        },
        "specifiedBy": {
            "id": specification_id,
            "type": "LearningAchievementSpecification",
            "title": texts(award.title),
            "description": {"en": award.criteria},
            "creditPoint": [{
                "id": format!("{specification_id}#ects"),
                "type": "CreditPoint",
                "framework": concept(mc_core::elm::ECTS, "European Credit Transfer System"),
                "point": award.ects.to_string(),
            }],
        },
        "hasPart": has_part,
    });
    let languages: Vec<mc_core::LanguageTag> = award.title.iter().map(|(tag, _)| tag.clone()).collect();
    let primary = languages.first().expect("a title has a language");
    let envelope = Envelope {
        id,
        institution,
        issuer_id: award.issuer_id,
        issued: award.issued,
        learner: award.learner,
        language: primary,
    };
    let mut credential = envelope.credential(achievement);
    let ects = format!("{} ECTS", award.ects);
    let display = display_parameter(id, award.title, None, &languages, primary, |tag| {
        let card = Card {
            title: award.title.best(tag),
            learner: award.learner.name(),
            institution: institution.name().best(tag),
            facts: &ects,
            issued: award.issued,
        };
        card.svg(tag)
    });
    credential.insert("displayParameter".into(), display);
    credential
}

/// The revocation entry, typed as ELM's `CredentialStatus` and as the Bitstring Status List
/// entry it is.
fn status_entry(entry: &StatusEntry) -> Value {
    let mut value = entry.to_json();
    value["type"] = json!([CREDENTIAL_STATUS, "BitstringStatusListEntry"]);
    value
}

/// How the credential is shown: its title and description, and a picture of it in each of
/// the specification's languages.
fn display(spec: &Spec, institution: &Institution, award: &Award<'_>) -> Value {
    display_parameter(award.id, spec.title(), spec.description(), spec.languages(), spec.default_language(), |tag| {
        picture(spec, institution, award, tag)
    })
}

/// A `DisplayParameter` of the credential `id`: its title and description, and a picture in
/// each of `languages`.
fn display_parameter(
    id: &str,
    title: &LangMap,
    description: Option<&LangMap>,
    languages: &[mc_core::LanguageTag],
    primary: &mc_core::LanguageTag,
    picture: impl Fn(&mc_core::LanguageTag) -> Vec<u8>,
) -> Value {
    let language_concept = |tag: &str| {
        let eu = mc_core::elm::eu_language(tag);
        concept(&eu, mc_core::language_name(tag.split('-').next().unwrap_or(tag)).unwrap_or(tag))
    };
    let displays: Vec<Value> = languages
        .iter()
        .enumerate()
        .map(|(idx, tag)| {
            let picture = picture(tag);
            json!({
                "id": format!("{id}#display-{}", idx + 1),
                "type": "IndividualDisplay",
                "language": language_concept(tag.as_str()),
                "displayDetail": [{
                    "id": format!("{id}#display-{}-page-1", idx + 1),
                    "type": "DisplayDetail",
                    "page": 1,
                    "image": {
                        "id": format!("{id}#display-{}-image", idx + 1),
                        "type": "MediaObject",
                        "content": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, picture),
                        "contentEncoding": concept(BASE64, "base64"),
                        "contentType": concept(SVG, "SVG"),
                    },
                }],
            })
        })
        .collect();
    let mut display = json!({
        "id": format!("{id}#display"),
        "type": "DisplayParameter",
        "title": texts(title),
        "language": languages.iter().map(|tag| language_concept(tag.as_str())).collect::<Vec<_>>(),
        "primaryLanguage": language_concept(primary.as_str()),
        "individualDisplay": displays,
    });
    if let Some(description) = description {
        display["description"] = texts(description);
    }
    display
}

/// A one-page picture of the credential in `language`, as SVG: the title, the learner, the
/// institution, the workload and level, the date.
fn picture(spec: &Spec, institution: &Institution, award: &Award<'_>, language: &mc_core::LanguageTag) -> Vec<u8> {
    let spanish = language.as_str().starts_with("es");
    let mut facts = Vec::new();
    if let Some(ects) = spec.workload().ects() {
        facts.push(format!("{ects} ECTS"));
    }
    if let Some(hours) = spec.workload().hours() {
        facts.push(if spanish { format!("{hours} horas") } else { format!("{hours} hours") });
    }
    if let Some(level) = spec.eqf_level() {
        facts.push(if spanish { format!("MEC nivel {level}") } else { format!("EQF level {level}") });
    }
    let card = Card {
        title: spec.title().best(language),
        learner: award.learner.name(),
        institution: institution.name().best(language),
        facts: &facts.join(" · "),
        issued: award.issued,
    };
    card.svg(language)
}

/// What the picture of a credential shows.
struct Card<'a> {
    title: &'a str,
    learner: &'a str,
    institution: &'a str,
    facts: &'a str,
    issued: mc_core::Timestamp,
}

impl Card<'_> {
    /// The picture, as SVG, with its labels in `language` (English or Spanish).
    fn svg(&self, language: &mc_core::LanguageTag) -> Vec<u8> {
        let escape =
            |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        let spanish = language.as_str().starts_with("es");
        let (awarded_to, by) = if spanish { ("otorgado a", "por") } else { ("awarded to", "by") };
        let lines = [
            (110, 34, escape(self.title)),
            (160, 18, awarded_to.to_owned()),
            (200, 28, escape(self.learner)),
            (250, 18, format!("{by} {}", escape(self.institution))),
            (300, 16, escape(self.facts)),
            (340, 14, self.issued.to_rfc3339()[..10].to_owned()),
        ];
        let mut svg = String::from(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"842\" height=\"595\" viewBox=\"0 0 842 595\">\
             <rect x=\"12\" y=\"12\" width=\"818\" height=\"571\" fill=\"#fff\" stroke=\"#1f4e79\" stroke-width=\"4\"/>",
        );
        for (y, size, text) in lines {
            svg.push_str(&format!(
                "<text x=\"421\" y=\"{y}\" font-family=\"sans-serif\" font-size=\"{size}\" text-anchor=\"middle\">{text}</text>"
            ));
        }
        svg.push_str("</svg>");
        svg.into_bytes()
    }
}

/// What a European Digital Credential says of its award, for showing it, in `language` when it
/// has it: the same facts an Open Badges credential gives ([`BadgeContent`]).
pub fn content(credential: &Map<String, Value>, language: &str) -> BadgeContent {
    let pick = |value: &Value| -> Option<String> {
        let map = value.as_object()?;
        map.get(language).or_else(|| map.values().next()).and_then(Value::as_str).map(str::to_owned)
    };
    let subject = first(credential.get("credentialSubject"));
    let claim = first(subject.and_then(|subject| subject.get("hasClaim")));
    let specification = claim.and_then(|claim| first(claim.get("specifiedBy")));
    let field = |key: &str| specification.and_then(|spec| spec.get(key));
    let outcomes = many(field("learningOutcome")).into_iter().filter_map(|outcome| pick(&outcome["title"])).collect();
    let ects = many(field("creditPoint")).into_iter().find_map(|credit| match &credit["point"] {
        Value::String(point) => point.trim().parse().ok(),
        point => point.as_f64(),
    });
    let hours = field("volumeOfLearning")
        .and_then(Value::as_str)
        .and_then(|duration| duration.strip_prefix("PT")?.strip_suffix('H')?.parse().ok());
    let eqf_level = field("eqfLevel")
        .and_then(|level| level.get("id").or(Some(level)))
        .and_then(Value::as_str)
        .and_then(|id| id.strip_prefix(EQF))
        .map(str::to_owned);
    let spec_version = many(field("identifier"))
        .into_iter()
        .find(|identifier| identifier["schemeName"] == VERSION_SCHEME)
        .and_then(|identifier| identifier["notation"].as_str().map(str::to_owned));
    let grade = claim
        .and_then(|claim| first(claim.get("provenBy")))
        .and_then(|assessment| pick(&assessment["grade"]["noteLiteral"]));
    BadgeContent {
        title: claim.and_then(|claim| pick(&claim["title"])).unwrap_or_default(),
        description: claim.and_then(|claim| pick(&claim["description"])).unwrap_or_default(),
        outcomes,
        ects,
        hours,
        eqf_level,
        issuer: credential.get("issuer").and_then(|issuer| pick(&issuer["legalName"])).unwrap_or_default(),
        spec_version,
        grade,
    }
}

/// The id of the Open Badges credential of the same award that an EDC names, if it names one.
pub fn counterpart(credential: &Map<String, Value>) -> Option<&str> {
    many(credential.get("identifier"))
        .into_iter()
        .find(|identifier| identifier["schemeName"] == OPEN_BADGE_SCHEME)
        .and_then(|identifier| identifier["notation"].as_str())
}

fn many(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
    }
}

fn first(value: Option<&Value>) -> Option<&Value> {
    many(value).into_iter().next()
}

/// A place where a credential departs from the EDC profile's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Errors make the credential not an EDC; warnings are what a sealing service fills in or
    /// what viewers may show badly.
    pub severity: Severity,
    /// The rule's id, such as `edc.required`.
    pub rule: &'static str,
    /// Where, as a path of JSON keys and indexes (`credentialSubject.hasClaim[0].title`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// When a credential is checked: a draft may still lack what sealing fills in (the date of
/// issuing, the issuer's eIDAS identifier); a sealed credential may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before sealing.
    Draft,
    /// Sealed.
    Sealed,
}

/// The properties each class must have (the profile's minimum counts), by JSON term.
const REQUIRED: &[(&str, &[&str])] = &[
    (
        "EuropeanDigitalCredential",
        &["credentialProfiles", "displayParameter", "issuer", "credentialSubject", "validFrom", "credentialSchema"],
    ),
    ("Person", &["hasClaim"]),
    ("Organisation", &["location", "legalName"]),
    ("LearningAchievement", &["title", "awardedBy"]),
    ("LearningAssessment", &["title", "awardedBy"]),
    ("LearningAchievementSpecification", &["title"]),
    ("Qualification", &["title"]),
    ("LearningAssessmentSpecification", &["title"]),
    ("LearningActivitySpecification", &["title"]),
    ("LearningOutcome", &["title"]),
    ("AwardingProcess", &["awardingBody"]),
    ("AwardingOpportunity", &["awardingBody"]),
    ("Accreditation", &["dcType", "title", "accreditingAgent"]),
    ("Note", &["noteLiteral"]),
    ("CreditPoint", &["framework", "point"]),
    ("GradingScheme", &["title"]),
    ("DisplayParameter", &["title", "language", "primaryLanguage", "individualDisplay"]),
    ("IndividualDisplay", &["language", "displayDetail"]),
    ("DisplayDetail", &["image", "page"]),
    ("MediaObject", &["contentType", "contentEncoding", "content"]),
    ("LegalIdentifier", &["notation", "spatial"]),
    ("Identifier", &["notation"]),
    ("Address", &["countryCode"]),
    ("WebResource", &["contentURL"]),
];

/// The properties a class has once at most (the profile's maximum counts of one that matter).
const SINGLE: &[(&str, &str)] = &[
    ("LearningAssessmentSpecification", "dcType"),
    ("LearningAchievementSpecification", "eqfLevel"),
    ("LearningAchievementSpecification", "volumeOfLearning"),
    ("DisplayParameter", "primaryLanguage"),
    ("Person", "dateOfBirth"),
];

/// Properties whose concepts come from a controlled vocabulary, by the prefix of its concepts.
const VOCABULARIES: &[(&str, &str, &str)] = &[
    ("language", LANGUAGE, "the EU's language authority"),
    ("primaryLanguage", LANGUAGE, "the EU's language authority"),
    ("countryCode", COUNTRY, "the EU's country authority"),
    ("spatial", COUNTRY, "the EU's country authority"),
    ("eqfLevel", EQF, "the European Qualifications Framework's levels"),
    ("thematicArea", ISCED, "ISCED-F 2013"),
    ("relatedESCOSkill", ESCO_SKILL, "the ESCO skills"),
    ("credentialProfiles", "http://data.europa.eu/snb/credential/", "the EU's credential profiles"),
];

/// Checks `credential` against the rules of the EDC application profile that matter: the
/// credential's contexts and types, the properties each class must have, the controlled
/// vocabularies of languages, countries, EQF, ISCED-F, ESCO and credential profiles, a learner
/// that can be told (an id or an email address), and the schema. Returns every finding.
pub fn check(credential: &Map<String, Value>, stage: Stage) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut error = |path: &str, rule: &'static str, message: String| {
        findings.push(Finding { severity: Severity::Error, rule, path: path.to_owned(), message });
    };
    let contexts_given = many(credential.get("@context"));
    if contexts_given.first().and_then(|first| first.as_str()) != Some(contexts::CREDENTIALS_V1) {
        error("@context", "edc.context", format!("the first context must be {}", contexts::CREDENTIALS_V1));
    }
    if !contexts_given.iter().any(|context| *context == contexts::EDC_AP) {
        error(
            "@context",
            "edc.context",
            format!("the EDC application profile's context ({}) is missing", contexts::EDC_AP),
        );
    }
    let types = many(credential.get("type"));
    for wanted in ["VerifiableCredential", "EuropeanDigitalCredential"] {
        if !types.iter().any(|kind| *kind == wanted) {
            error("type", "edc.type", format!("the credential's types must include {wanted}"));
        }
    }
    if !many(credential.get("credentialSchema")).iter().any(|schema| {
        schema["type"] == "ShaclValidator2017"
            && schema["id"].as_str().is_some_and(|id| id.starts_with("http://data.europa.eu/snb/model/ap/edc-"))
    }) {
        error("credentialSchema", "edc.schema", "no EDC SHACL profile (ShaclValidator2017) is named".into());
    }
    for key in ["credentialSubject", "issuer", "credentialStatus"] {
        if many(credential.get(key)).len() > 1 {
            error(key, "edc.cardinality", format!("{key} may be given once"));
        }
    }
    let learner = first(credential.get("credentialSubject"));
    let told = learner.is_some_and(|person| {
        ["id", "nationalID", "nationalId", "identifier"].iter().any(|key| person.get(key).is_some())
            || many(person.get("contactPoint")).iter().any(|point| point.get("emailAddress").is_some())
    });
    if learner.is_some() && !told {
        error(
            "credentialSubject",
            "edc.learner",
            "the learner cannot be told: no id, national id, identifier or email address".into(),
        );
    }
    let mut warn = Vec::new();
    if credential.get("issued").is_none() {
        warn.push(("issued", "edc.required", "the date of issuing (issued) is missing".to_owned()));
    }
    let issuer = first(credential.get("issuer"));
    if issuer.is_some_and(|issuer| issuer.get("eIDASIdentifier").is_none()) {
        warn.push((
            "issuer",
            "edc.issuer-eidas",
            "the issuer has no eIDAS legal identifier (eIDASIdentifier), by which a seal is matched to it".to_owned(),
        ));
    }
    for (path, rule, message) in warn {
        let severity = match stage {
            Stage::Draft => Severity::Warning,
            Stage::Sealed => Severity::Error,
        };
        findings.push(Finding { severity, rule, path: path.to_owned(), message });
    }
    walk_node(credential, "", &mut findings, 0);
    findings
}

/// Checks every node of `value` against the class rules and vocabularies.
fn walk(value: &Value, path: &str, findings: &mut Vec<Finding>, depth: usize) {
    // Credentials are read strictly and capped in size before this; the depth cap keeps a
    // hostile nesting from exhausting the stack all the same.
    if depth > 64 {
        findings.push(Finding {
            severity: Severity::Error,
            rule: "edc.depth",
            path: path.to_owned(),
            message: "the credential nests deeper than 64 levels".into(),
        });
        return;
    }
    match value {
        Value::Array(items) => {
            for (idx, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{idx}]"), findings, depth + 1);
            }
        }
        Value::Object(node) => walk_node(node, path, findings, depth),
        _ => {}
    }
}

/// Checks one node (a JSON object) and what it holds.
fn walk_node(node: &Map<String, Value>, path: &str, findings: &mut Vec<Finding>, depth: usize) {
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    let mut error = |rule: &'static str, path: String, message: String| {
        findings.push(Finding { severity: Severity::Error, rule, path, message });
    };
    for kind in many(node.get("type")).into_iter().filter_map(Value::as_str) {
        let required = REQUIRED.iter().filter(|(class, _)| *class == kind).flat_map(|(_, keys)| keys.iter());
        for key in required {
            if many(node.get(*key)).is_empty() {
                error("edc.required", join(key), format!("a {kind} must have {key}"));
            }
        }
        for (_, key) in SINGLE.iter().filter(|(class, _)| *class == kind) {
            if many(node.get(*key)).len() > 1 {
                error("edc.cardinality", join(key), format!("a {kind} has one {key} at most"));
            }
        }
    }
    for (key, inner) in node {
        if key == "@context" {
            continue;
        }
        if let Some((_, prefix, name)) = VOCABULARIES.iter().find(|(term, _, _)| term == key) {
            for (idx, concept) in many(Some(inner)).into_iter().enumerate() {
                let id = concept.get("id").or(Some(concept)).and_then(Value::as_str).unwrap_or_default();
                if !id.starts_with(prefix) {
                    let at = if inner.is_array() { format!("{}[{idx}]", join(key)) } else { join(key) };
                    error("edc.vocabulary", at, format!("{id:?} is not a concept of {name}"));
                }
            }
        }
    }
    for (key, inner) in node.iter().filter(|(key, _)| *key != "@context") {
        walk(inner, &join(key), findings, depth + 1);
    }
}

/// Whether the findings leave the credential an EDC: no errors.
pub fn passes(findings: &[Finding]) -> bool {
    findings.iter().all(|finding| finding.severity != Severity::Error)
}

//! Specifications in the European Learning Model: a specification as an ELM
//! `LearningAchievementSpecification` in JSON-LD (the `edc-ap` context), and back.
//!
//! ELM has a property for most Annex I elements. The rest are written with ELM structures and
//! microcred's vocabulary (`https://w3id.org/microcred/vocab#`): the assessment as a
//! `LearningAssessmentSpecification` whose `dcType`s name its kind and methods; quality
//! assurance, identity verification, stackability and further information as notes whose
//! `subject` names them (an ELM `Accreditation` needs an accrediting agent's address and a type
//! from the EU's accreditation vocabulary, which a specification does not give). Concepts from
//! the EU's controlled vocabularies name their scheme (`inScheme`), as the European Digital
//! Credential profile asks. An exported specification reads back
//! unchanged; a document from another ELM tool is read as far as it says what a specification
//! needs, and refused with the reason otherwise.

use serde_json::{Map, Value, json};

use crate::{
    spec::{AssessmentMethod, Participation, Spec},
    wire::{
        AssessmentDocument, LangMapDocument, LearningOutcomeDocument, QualityAssuranceDocument, SpecDocument,
        StackabilityDocument, WorkloadDocument,
    },
};

/// The JSON-LD context of ELM documents.
pub const CONTEXT: &str = "http://data.europa.eu/snb/model/context/edc-ap";
/// microcred's vocabulary, for what ELM names no concept for.
const VOCAB: &str = "https://w3id.org/microcred/vocab#";
/// The European Credit Transfer System, as the EU names it.
pub const ECTS: &str = "http://data.europa.eu/snb/education-credit/6fcec5c5af";
/// The EQF levels' concepts (`…/eqf/5`).
pub const EQF: &str = "http://data.europa.eu/snb/eqf/";
/// The ISCED-F 2013 fields' concepts (`…/isced-f/0542`).
pub const ISCED: &str = "http://data.europa.eu/snb/isced-f/";
/// The EU's language authority (`…/language/SPA`).
pub const LANGUAGE: &str = "http://publications.europa.eu/resource/authority/language/";
/// ESCO's concepts (skills under `…/esco/skill/`).
pub const ESCO: &str = "http://data.europa.eu/esco/";
/// The mode "blended" in the EU's learning-assessment vocabulary, as the official samples use.
const EU_BLENDED: &str = "http://data.europa.eu/snb/learning-assessment/e92d221e4d";

/// ISO 639-1 codes and the EU Publications Office's language authority codes.
const LANGUAGES: &[(&str, &str)] = &[
    ("bg", "BUL"),
    ("ca", "CAT"),
    ("cs", "CES"),
    ("da", "DAN"),
    ("de", "DEU"),
    ("el", "ELL"),
    ("en", "ENG"),
    ("es", "SPA"),
    ("et", "EST"),
    ("eu", "EUS"),
    ("fi", "FIN"),
    ("fr", "FRA"),
    ("ga", "GLE"),
    ("gl", "GLG"),
    ("hr", "HRV"),
    ("hu", "HUN"),
    ("is", "ISL"),
    ("it", "ITA"),
    ("lt", "LIT"),
    ("lv", "LAV"),
    ("mt", "MLT"),
    ("nl", "NLD"),
    ("no", "NOR"),
    ("pl", "POL"),
    ("pt", "POR"),
    ("ro", "RON"),
    ("sk", "SLK"),
    ("sl", "SLV"),
    ("sq", "SQI"),
    ("sr", "SRP"),
    ("sv", "SWE"),
    ("tr", "TUR"),
    ("uk", "UKR"),
];

fn concept(id: String, label: Option<&str>) -> Value {
    match label {
        Some(label) => json!({"id": id, "type": "Concept", "prefLabel": {"en": label}}),
        None => json!({"id": id, "type": "Concept"}),
    }
}

/// A concept of one of the EU's controlled vocabularies, naming its scheme.
fn eu_concept(id: String, label: Option<&str>) -> Value {
    let mut value = concept(id, label);
    if let Some(scheme) = scheme_of(value["id"].as_str().unwrap_or_default()) {
        value["inScheme"] = json!({"id": scheme, "type": "ConceptScheme"});
    }
    value
}

/// The concept scheme of an EU vocabulary concept: the authority tables of the Publications
/// Office (`…/authority/language/ENG` is in `…/authority/language`), ESCO skills, and the
/// `snb` vocabularies (`…/snb/eqf/5` is in `…/snb/eqf/25831c2`).
pub fn scheme_of(concept: &str) -> Option<String> {
    const AUTHORITY: &str = "http://publications.europa.eu/resource/authority/";
    const SNB: &str = "http://data.europa.eu/snb/";
    if let Some(rest) = concept.strip_prefix(AUTHORITY) {
        let (table, _) = rest.split_once('/')?;
        return Some(format!("{AUTHORITY}{table}"));
    }
    if concept.starts_with(&format!("{ESCO}skill/")) {
        return Some(format!("{ESCO}concept-scheme/skills"));
    }
    let (vocabulary, _) = concept.strip_prefix(SNB)?.split_once('/')?;
    Some(format!("{SNB}{vocabulary}/25831c2"))
}

fn texts(map: &crate::LangMap) -> Value {
    Value::Object(map.iter().map(|(tag, text)| (tag.as_str().to_owned(), Value::String(text.to_owned()))).collect())
}

/// A note on what `subject` (a term of microcred's vocabulary) names; its text, or the
/// subject's words when it has none (a note must say something).
fn note(id: String, subject: &str, text: Option<&crate::LangMap>) -> Value {
    let label = subject.replace('-', " ");
    let literal = text.map_or_else(|| json!({"en": label}), texts);
    json!({"id": id, "type": "Note", "subject": concept(format!("{VOCAB}{subject}"), None), "noteLiteral": literal})
}

/// The specification as an ELM `LearningAchievementSpecification`, without `@context` (the
/// caller adds it once for a whole export).
pub fn to_elm(spec: &Spec) -> Value {
    let id = format!("urn:uuid:{}", spec.id());
    let mut las = Map::new();
    las.insert("id".into(), Value::String(id.clone()));
    las.insert("type".into(), "LearningAchievementSpecification".into());
    las.insert("title".into(), texts(spec.title()));
    if let Some(description) = spec.description() {
        las.insert("description".into(), texts(description));
    }
    let outcomes: Vec<Value> = spec
        .learning_outcomes()
        .iter()
        .enumerate()
        .map(|(idx, outcome)| {
            let mut value = json!({"id": format!("{id}#outcome-{}", idx + 1), "type": "LearningOutcome", "title": texts(outcome.text())});
            if let Some(skill) = outcome.skill() {
                let key = if skill.as_str().starts_with(ESCO) { "relatedESCOSkill" } else { "relatedSkill" };
                let mut concept = eu_concept(skill.as_str().to_owned(), None);
                if let Some(name) = outcome.skill_name() {
                    concept["prefLabel"] = texts(name);
                }
                value[key] = json!([concept]);
            }
            value
        })
        .collect();
    las.insert("learningOutcome".into(), outcomes.into());
    if let Some(ects) = spec.workload().ects() {
        las.insert(
            "creditPoint".into(),
            json!([{"id": format!("{id}#ects"), "type": "CreditPoint", "framework": eu_concept(ECTS.to_owned(), Some("European Credit Transfer System")), "point": ects.to_string()}]),
        );
    }
    if let Some(hours) = spec.workload().hours() {
        las.insert("volumeOfLearning".into(), format!("PT{hours}H").into());
    }
    if let Some(level) = spec.eqf_level() {
        las.insert("eqfLevel".into(), eu_concept(format!("{EQF}{level}"), Some(&format!("Level {level}"))));
    }
    if let Some(cycle) = spec.qf_ehea_cycle() {
        las.insert("educationLevel".into(), json!([concept(format!("{VOCAB}qf-ehea-{cycle}"), None)]));
    }
    if let Some(code) = spec.isced_f() {
        las.insert("thematicArea".into(), json!([eu_concept(format!("{ISCED}{code}"), Some(code.name()))]));
    }
    let languages: Vec<Value> = spec.languages().iter().map(|tag| language_concept(tag.as_str())).collect();
    las.insert("language".into(), languages.into());
    las.insert("primaryLanguage".into(), language_concept(spec.default_language().as_str()));
    las.insert("mode".into(), json!([participation_concept(spec.participation())]));
    if let Some(prerequisites) = spec.prerequisites() {
        las.insert(
            "entryRequirement".into(),
            json!({"id": format!("{id}#prerequisites"), "type": "Note", "noteLiteral": texts(prerequisites)}),
        );
    }
    if let Some(grading) = spec.grading_scheme() {
        las.insert(
            "gradingScheme".into(),
            json!({"id": format!("{id}#grading"), "type": "GradingScheme", "title": {"en": "Grading"}, "description": texts(grading)}),
        );
    }
    let assessment = spec.assessment();
    // An assessment specification has one type (its kind); its methods are notes.
    let kind = concept(format!("{VOCAB}assessment-{}", assessment.kind()), None);
    let mut proven_by = json!({"id": format!("{id}#assessment"), "type": "LearningAssessmentSpecification", "title": {"en": format!("{} assessment", assessment.kind())}, "dcType": kind});
    if let Some(description) = assessment.description() {
        proven_by["description"] = texts(description);
    }
    let mut assessment_notes: Vec<Value> = assessment
        .methods()
        .iter()
        .map(|method| note(format!("{id}#method-{method}"), &format!("method-{method}"), None))
        .collect();
    if let Some(verification) = spec.identity_verification() {
        assessment_notes.push(note(format!("{id}#identity-verification"), &format!("identity-{verification}"), None));
    }
    proven_by["additionalNote"] = assessment_notes.into();
    las.insert("provenBy".into(), json!([proven_by]));
    let qa = spec.quality_assurance();
    let mut notes = Vec::new();
    if qa.internal() {
        notes.push(note(format!("{id}#qa-internal"), "qa-internal", None));
    }
    if qa.external() {
        notes.push(note(format!("{id}#qa-external"), "qa-external", None));
    }
    if let Some(body) = qa.body() {
        let mut body_note = note(format!("{id}#qa-body"), "qa-body", None);
        body_note["noteLiteral"] = json!({spec.default_language().as_str(): body});
        notes.push(body_note);
    }
    if let Some(description) = qa.description() {
        notes.push(note(format!("{id}#qa-description"), "qa-description", Some(description)));
    }
    if let Some(stackability) = spec.stackability() {
        notes.push(note(
            format!("{id}#stackability"),
            &format!("stackability-{}", stackability.option()),
            stackability.towards(),
        ));
    }
    if let Some(further) = spec.further_information() {
        notes.push(note(format!("{id}#further-information"), "further-information", Some(further)));
    }
    if !notes.is_empty() {
        las.insert("additionalNote".into(), notes.into());
    }
    if let Some(homepage) = spec.homepage() {
        las.insert(
            "homepage".into(),
            json!([{"id": format!("{id}#homepage"), "type": "WebResource", "contentURL": homepage.as_str()}]),
        );
    }
    let bodies: Vec<Value> = spec
        .awarding_bodies()
        .iter()
        .map(|body| json!({"id": format!("{VOCAB}institution-{body}"), "type": "Organisation"}))
        .collect();
    las.insert(
        "awardingOpportunity".into(),
        json!([{"id": format!("{id}#awarding"), "type": "AwardingOpportunity", "awardingBody": bodies}]),
    );
    Value::Object(las)
}

/// The EU's concept of a language, or microcred's for a regional variant or a language the
/// EU's list does not have.
fn language_concept(tag: &str) -> Value {
    eu_concept(eu_language(tag), None)
}

/// The id of the EU's concept of a language (`es` → `…/authority/language/SPA`), or
/// microcred's for a regional variant or a language the EU's list here does not have.
pub fn eu_language(tag: &str) -> String {
    match LANGUAGES.iter().find(|(code, _)| *code == tag) {
        Some((_, eu)) => format!("{LANGUAGE}{eu}"),
        None => format!("{VOCAB}language-{tag}"),
    }
}

/// The language tag of a language concept.
fn language_tag(concept: &Value) -> Option<String> {
    let id = id_of(concept)?;
    match id.strip_prefix(LANGUAGE) {
        Some(eu) => LANGUAGES.iter().find(|(_, code)| *code == eu).map(|(code, _)| (*code).to_owned()),
        None => id.strip_prefix(VOCAB)?.strip_prefix("language-").map(str::to_owned),
    }
}

fn participation_concept(participation: Participation) -> Value {
    match participation {
        Participation::Blended => eu_concept(EU_BLENDED.to_owned(), Some("Blended")),
        Participation::Online => concept(format!("{VOCAB}participation-online"), Some("Online")),
        Participation::Onsite => concept(format!("{VOCAB}participation-onsite"), Some("Onsite")),
    }
}

/// The learning achievement specifications of an ELM JSON-LD document: the document itself,
/// the items of an array or `@graph`, a `LearningOpportunity`'s specification, or a credential's
/// `specifiedBy`s.
pub fn specifications(document: &Value) -> Vec<&Value> {
    let mut found = Vec::new();
    collect(document, &mut found);
    found
}

fn collect<'a>(value: &'a Value, found: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect(item, found)),
        Value::Object(map) => {
            let kinds = types(value);
            if kinds.iter().any(|kind| matches!(*kind, "LearningAchievementSpecification" | "Qualification")) {
                found.push(value);
                return;
            }
            for key in [
                "@graph",
                "learningAchievementSpecification",
                "specifiedBy",
                "credentialSubject",
                "hasClaim",
                "credential",
            ] {
                if let Some(inner) = map.get(key) {
                    collect(inner, found);
                }
            }
        }
        _ => {}
    }
}

fn types(value: &Value) -> Vec<&str> {
    match value.get("type").or_else(|| value.get("@type")) {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A value or the items of an array.
fn many(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
    }
}

fn id_of(value: &Value) -> Option<&str> {
    value
        .as_str()
        .or_else(|| value.get("id").and_then(Value::as_str))
        .or_else(|| value.get("@id").and_then(Value::as_str))
}

fn lang_map(value: Option<&Value>) -> Option<LangMapDocument> {
    let map: LangMapDocument = value?
        .as_object()?
        .iter()
        .filter_map(|(tag, text)| {
            let text = match text {
                Value::String(text) => text.clone(),
                Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "),
                _ => return None,
            };
            Some((tag.clone(), text))
        })
        .collect();
    (!map.is_empty()).then_some(map)
}

fn note_text(value: Option<&Value>) -> Option<LangMapDocument> {
    many(value)
        .into_iter()
        .find_map(|note| lang_map(note.get("noteLiteral")).or_else(|| lang_map(note.get("description"))))
}

/// Hours from an ISO 8601 duration such as `PT60H` or `P1DT2H` (a day counted as 24 hours).
fn hours(duration: &str) -> Option<i64> {
    let rest = duration.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total = 0.0;
    for (part, units) in
        [(date, &[('D', 24.0), ('W', 168.0)][..]), (time, &[('H', 1.0), ('M', 1.0 / 60.0), ('S', 1.0 / 3600.0)][..])]
    {
        let mut number = String::new();
        for c in part.chars() {
            match units.iter().find(|(unit, _)| *unit == c) {
                Some((_, factor)) => {
                    total += number.parse::<f64>().ok()? * factor;
                    number.clear();
                }
                None if c.is_ascii_digit() || c == '.' => number.push(c),
                None => return None,
            }
        }
        if !number.is_empty() {
            return None;
        }
    }
    let rounded = total.round();
    (rounded >= 1.0).then_some(rounded as i64)
}

/// Reads one ELM specification as a microcred document, with `awarding_body` when the
/// document does not name microcred institutions. Says what is missing when it cannot.
pub fn from_elm(las: &Value, awarding_body: Option<&str>) -> Result<SpecDocument, String> {
    let vocab = |value: &Value, prefix: &str| {
        id_of(value).and_then(|id| id.strip_prefix(VOCAB)).and_then(|id| id.strip_prefix(prefix)).map(str::to_owned)
    };
    let mut missing = Vec::new();

    let id = id_of(las).and_then(|id| id.strip_prefix("urn:uuid:")).map(str::to_owned);
    let title = lang_map(las.get("title"));
    let outcomes: Vec<LearningOutcomeDocument> = many(las.get("learningOutcome"))
        .into_iter()
        .map(|outcome| {
            let skill = many(outcome.get("relatedESCOSkill"))
                .into_iter()
                .chain(many(outcome.get("relatedSkill")))
                .find(|skill| id_of(skill).is_some());
            LearningOutcomeDocument {
                text: lang_map(outcome.get("title")).or_else(|| lang_map(outcome.get("description"))),
                skill: skill.and_then(id_of).map(str::to_owned),
                skill_name: skill.and_then(|skill| lang_map(skill.get("prefLabel"))),
            }
        })
        .collect();
    let ects = many(las.get("creditPoint"))
        .into_iter()
        .find(|credit| credit.get("framework").and_then(id_of) == Some(ECTS))
        .and_then(|credit| match credit.get("point") {
            Some(Value::String(point)) => point.trim().parse::<f64>().ok(),
            Some(Value::Number(point)) => point.as_f64(),
            _ => None,
        });
    let hours = las.get("volumeOfLearning").and_then(Value::as_str).and_then(hours);
    let eqf_level =
        las.get("eqfLevel").and_then(id_of).and_then(|id| id.strip_prefix(EQF)).and_then(|level| level.parse().ok());
    let qf_ehea_cycle = many(las.get("educationLevel")).into_iter().find_map(|level| vocab(level, "qf-ehea-"));
    let isced_f = many(las.get("thematicArea"))
        .into_iter()
        .filter_map(|area| id_of(area)?.strip_prefix(ISCED))
        .find(|code| crate::codes::isced_f_name(code).is_some())
        .map(str::to_owned);
    let languages: Vec<String> = many(las.get("language")).into_iter().filter_map(language_tag).collect();
    let default_language = las.get("primaryLanguage").and_then(language_tag);
    let participation = many(las.get("mode")).into_iter().find_map(|mode| {
        if id_of(mode) == Some(EU_BLENDED) {
            return Some("blended".to_owned());
        }
        if let Some(name) = vocab(mode, "participation-") {
            return Some(name);
        }
        let label = mode.get("prefLabel").and_then(|labels| labels.get("en")).and_then(Value::as_str)?.to_lowercase();
        match label.as_str() {
            "online" | "distance learning" | "e-learning" => Some("online".to_owned()),
            "onsite" | "on-site" | "on site" | "in person" | "in-person" | "face-to-face" | "classroom" => {
                Some("onsite".to_owned())
            }
            "blended" | "hybrid" | "mixed" => Some("blended".to_owned()),
            _ => None,
        }
    });
    let assessment_spec = many(las.get("provenBy")).into_iter().next();
    let assessment = assessment_spec.map(|spec| {
        let kinds = many(spec.get("dcType"));
        let noted = many(spec.get("additionalNote")).into_iter().filter_map(|note| note.get("subject"));
        AssessmentDocument {
            kind: kinds.iter().find_map(|kind| vocab(kind, "assessment-")),
            methods: Some(kinds.iter().copied().chain(noted).filter_map(|kind| vocab(kind, "method-")).collect()),
            description: lang_map(spec.get("description")),
        }
    });
    let identity_verification = assessment_spec
        .into_iter()
        .flat_map(|spec| many(spec.get("additionalNote")))
        .find_map(|note| note.get("subject").and_then(|subject| vocab(subject, "identity-")));
    let mut quality_assurance = QualityAssuranceDocument::default();
    for accreditation in many(las.get("accreditation")) {
        match accreditation.get("dcType").and_then(|kind| vocab(kind, "qa-")).as_deref() {
            Some("internal") => quality_assurance.internal = true,
            Some("external") | None => {
                quality_assurance.external = true;
                quality_assurance.body = accreditation
                    .get("accreditingAgent")
                    .and_then(|agent| lang_map(agent.get("legalName")).or_else(|| lang_map(agent.get("prefLabel"))))
                    .and_then(|names| names.into_values().next());
            }
            Some(_) => {}
        }
        if quality_assurance.description.is_none() {
            quality_assurance.description = lang_map(accreditation.get("description"));
        }
    }
    let mut stackability = None;
    let mut further_information = None;
    for note in many(las.get("additionalNote")) {
        let Some(subject) = note.get("subject") else { continue };
        match vocab(subject, "qa-").as_deref() {
            Some("internal") => quality_assurance.internal = true,
            Some("external") => quality_assurance.external = true,
            Some("body") => {
                quality_assurance.body = lang_map(note.get("noteLiteral")).and_then(|names| names.into_values().next())
            }
            Some("description") => quality_assurance.description = lang_map(note.get("noteLiteral")),
            _ => {}
        }
        if let Some(option) = vocab(subject, "stackability-") {
            // A note without text of its own says its subject's words (see `note`).
            let words = format!("stackability {}", option.replace('-', " "));
            let towards = lang_map(note.get("noteLiteral"))
                .filter(|text| !(text.len() == 1 && text.get("en").is_some_and(|said| *said == words)));
            stackability = Some(StackabilityDocument { option: Some(option), towards });
        } else if vocab(subject, "further-information").is_some() {
            further_information = lang_map(note.get("noteLiteral"));
        }
    }
    let awarding_bodies: Vec<String> = many(las.get("awardingOpportunity"))
        .into_iter()
        .flat_map(|opportunity| many(opportunity.get("awardingBody")))
        .filter_map(|body| vocab(body, "institution-"))
        .collect();
    let awarding_bodies = match (awarding_bodies.is_empty(), awarding_bodies) {
        (false, bodies) => Some(bodies),
        (true, _) => awarding_body.map(|body| vec![body.to_owned()]),
    };

    if title.is_none() {
        missing.push("a title");
    }
    if outcomes.is_empty() {
        missing.push("learning outcomes (learningOutcome)");
    }
    if ects.is_none() && hours.is_none() {
        missing.push("a workload (creditPoint in ECTS or volumeOfLearning)");
    }
    if languages.is_empty() {
        missing.push("a language (language)");
    }
    if participation.is_none() {
        missing.push("a form of participation (mode)");
    }
    if assessment.as_ref().is_none_or(|assessment| assessment.kind.is_none()) {
        missing.push("a type of assessment (provenBy with its kind)");
    }
    if !quality_assurance.internal && !quality_assurance.external {
        missing.push("a type of quality assurance (accreditation)");
    }
    if awarding_bodies.is_none() {
        missing.push("an awarding body (give one with --awarding-body)");
    }
    if !missing.is_empty() {
        return Err(format!("it lacks {}", missing.join(", ")));
    }
    let assessment = assessment.map(|mut assessment| {
        if assessment.methods.as_ref().is_some_and(Vec::is_empty) {
            assessment.methods = Some(vec![AssessmentMethod::Other.as_str().to_owned()]);
        }
        assessment
    });
    Ok(SpecDocument {
        id,
        awarding_bodies,
        default_language,
        languages: Some(languages),
        title,
        description: lang_map(las.get("description")),
        learning_outcomes: Some(outcomes),
        workload: Some(WorkloadDocument { ects, hours }),
        eqf_level,
        qf_ehea_cycle,
        isced_f,
        assessment,
        participation,
        quality_assurance: Some(quality_assurance),
        prerequisites: note_text(las.get("entryRequirement")),
        identity_verification,
        grading_scheme: many(las.get("gradingScheme"))
            .into_iter()
            .find_map(|scheme| lang_map(scheme.get("description"))),
        stackability,
        further_information,
        homepage: many(las.get("homepage"))
            .into_iter()
            .find_map(|page| page.get("contentURL").and_then(Value::as_str).or_else(|| page.as_str()))
            .map(str::to_owned),
    })
}

#[cfg(test)]
mod tests;

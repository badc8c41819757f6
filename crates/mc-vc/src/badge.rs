//! Open Badges 3.0 credentials built from a micro-credential specification: an
//! `OpenBadgeCredential` whose `Achievement` carries every element of Annex I of the Council
//! Recommendation. Where Open Badges has a field (name, description, criteria with the learning
//! outcomes, credits, language, field of study, alignments to EQF, ISCED-F and the outcomes'
//! ESCO skills) it is used; the rest is expressed with European Learning Model terms from an
//! inline context. Texts are in the specification's default language.

use mc_core::{Institution, LangMap, LanguageTag, Learner, Spec, Timestamp};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::{contexts, status::StatusEntry};

/// The European Learning Model namespace.
const ELM: &str = "http://data.europa.eu/snb/model/elm/";

/// Terms for the Annex I elements Open Badges 3.0 does not model, in ELM and in microcred's
/// own vocabulary where ELM has no single property.
fn annex_context() -> Value {
    json!({
        "elm": ELM,
        "mcv": "https://w3id.org/microcred/vocab#",
        "volumeOfLearning": {"@id": "elm:volumeOfLearning", "@type": "http://www.w3.org/2001/XMLSchema#duration"},
        "mode": {"@id": "elm:mode"},
        "entryRequirement": {"@id": "elm:entryRequirement"},
        "gradingScheme": {"@id": "elm:gradingScheme"},
        "awardingBody": {"@id": "elm:awardingBody", "@container": "@set"},
        "language": {"@id": "elm:language", "@container": "@set"},
        "qfEheaCycle": {"@id": "mcv:qfEheaCycle"},
        "assessmentKind": {"@id": "mcv:assessmentKind"},
        "assessmentMethod": {"@id": "mcv:assessmentMethod", "@container": "@set"},
        "assessmentDescription": {"@id": "mcv:assessmentDescription"},
        "qualityAssurance": {"@id": "mcv:qualityAssurance", "@container": "@set"},
        "qualityAssuranceBody": {"@id": "mcv:qualityAssuranceBody"},
        "identityVerification": {"@id": "mcv:identityVerification"},
        "stackability": {"@id": "mcv:stackability"},
        "stackableTowards": {"@id": "mcv:stackableTowards"},
        "furtherInformation": {"@id": "mcv:furtherInformation"},
        "europeanDigitalCredential": {"@id": "mcv:europeanDigitalCredential", "@type": "@id"},
        "homepage": {"@id": "mcv:homepage", "@type": "@id"},
    })
}

/// The first line of the criteria narrative; the learning outcomes follow, one per line.
const OUTCOMES_HEADING: &str = "The learner is able to:";

/// Who the badge is for and when it is issued: the parts of an award that are not in the
/// specification.
pub struct Award<'a> {
    /// The credential's id, such as `urn:uuid:…`.
    pub id: &'a str,
    /// The learner (Annex I element 1).
    pub learner: &'a Learner,
    /// The date of issuing (Annex I element 5).
    pub issued: Timestamp,
    /// When the learner completed the learning, if it is not the date of issuing.
    pub awarded: Option<Timestamp>,
    /// When the credential stops being valid, if it does.
    pub valid_until: Option<Timestamp>,
    /// Random bytes that salt the hash of a learner's email address when the learner has no DID.
    pub salt: &'a str,
    /// The grade achieved, when graded (Annex I optional element).
    pub grade: Option<&'a str>,
    /// The DID or URL the issuer signs as.
    pub issuer_id: &'a str,
    /// The credential's status list entries (revocation, suspension).
    pub status: &'a [StatusEntry],
    /// The version of the specification it is issued from (the achievement's `version`).
    pub spec_version: u32,
    /// The id of the other credential of the same award, when it is issued in both formats: the
    /// European Digital Credential an Open Badges credential names, or the other way round.
    pub counterpart: Option<&'a str>,
    /// The address of the badge image, when it has one (the achievement's `image`).
    pub image: Option<&'a str>,
}

/// The text of `map` in the specification's default language.
fn text(map: &LangMap, language: &LanguageTag) -> Value {
    Value::String(map.best(language).to_owned())
}

/// Builds the unsigned `OpenBadgeCredential` for `award` of `spec`. `awarding_bodies` are the
/// specification's awarding bodies, in its order; the first one issues.
pub fn open_badge(spec: &Spec, awarding_bodies: &[&Institution], award: &Award<'_>) -> Map<String, Value> {
    BadgeTemplate::new(spec, awarding_bodies, award.issuer_id, award.spec_version, award.image).badge(award)
}

/// What the Open Badges credentials of one specification version share when one issuer awards
/// them with one image: the context, the name, the issuer's profile and the achievement, built
/// once for a cohort so that each credential only adds its own award.
pub struct BadgeTemplate {
    /// Tells this template's drafts from another's.
    serial: u64,
    context: Value,
    name: Value,
    issuer: Value,
    achievement: Map<String, Value>,
    issuer_id: String,
    spec_version: u32,
    image: Option<String>,
}

impl BadgeTemplate {
    /// The template of `spec`'s credentials issued by `issuer_id` (the first awarding body) from
    /// version `spec_version`, with the badge image at `image`.
    pub fn new(
        spec: &Spec,
        awarding_bodies: &[&Institution],
        issuer_id: &str,
        spec_version: u32,
        image: Option<&str>,
    ) -> BadgeTemplate {
        let institution = awarding_bodies.first().expect("a specification has at least one awarding body");
        let language = spec.default_language();
        let mut achievement = Map::new();
        achievement.insert("id".into(), format!("urn:uuid:{}", spec.id()).into());
        achievement.insert("type".into(), json!(["Achievement"]));
        achievement.insert("achievementType".into(), "MicroCredential".into());
        achievement.insert("version".into(), spec_version.to_string().into());
        achievement.insert("name".into(), text(spec.title(), language));
        let description =
            spec.description().map_or_else(|| text(spec.title(), language), |description| text(description, language));
        achievement.insert("description".into(), description);
        let narrative: Vec<String> =
            spec.learning_outcomes().iter().map(|outcome| format!("- {}", outcome.text().best(language))).collect();
        achievement
            .insert("criteria".into(), json!({"narrative": format!("{OUTCOMES_HEADING}\n{}", narrative.join("\n"))}));
        achievement.insert("inLanguage".into(), language.as_str().into());
        if let Some(image) = image {
            achievement.insert("image".into(), json!({"id": image, "type": "Image"}));
        }
        let workload = spec.workload();
        if let Some(ects) = workload.ects() {
            achievement.insert("creditsAvailable".into(), json!(ects));
        }
        if let Some(hours) = workload.hours() {
            achievement.insert("volumeOfLearning".into(), format!("PT{hours}H").into());
        }
        if let Some(code) = spec.isced_f() {
            achievement.insert("fieldOfStudy".into(), code.name().into());
        }
        achievement.insert("alignment".into(), Value::Array(alignments(spec)));
        achievement.insert(
            "awardingBody".into(),
            awarding_bodies.iter().map(|body| Value::String(legal_name(body).into())).collect(),
        );
        achievement
            .insert("language".into(), spec.languages().iter().map(|tag| Value::String(tag.to_string())).collect());
        if let Some(cycle) = spec.qf_ehea_cycle() {
            achievement.insert("qfEheaCycle".into(), cycle.as_str().into());
        }
        let assessment = spec.assessment();
        achievement.insert("assessmentKind".into(), assessment.kind().as_str().into());
        achievement.insert(
            "assessmentMethod".into(),
            assessment.methods().iter().map(|method| Value::String(method.as_str().into())).collect(),
        );
        if let Some(description) = assessment.description() {
            achievement.insert("assessmentDescription".into(), text(description, language));
        }
        achievement.insert("mode".into(), spec.participation().as_str().into());
        let qa = spec.quality_assurance();
        let kinds: Vec<Value> = [(qa.internal(), "internal"), (qa.external(), "external")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, kind)| kind.into())
            .collect();
        achievement.insert("qualityAssurance".into(), Value::Array(kinds));
        if let Some(body) = qa.body() {
            achievement.insert("qualityAssuranceBody".into(), body.into());
        }
        if let Some(prerequisites) = spec.prerequisites() {
            achievement.insert("entryRequirement".into(), text(prerequisites, language));
        }
        if let Some(verification) = spec.identity_verification() {
            achievement.insert("identityVerification".into(), verification.as_str().into());
        }
        if let Some(grading) = spec.grading_scheme() {
            achievement.insert("gradingScheme".into(), text(grading, language));
        }
        if let Some(stackability) = spec.stackability() {
            achievement.insert("stackability".into(), stackability.option().as_str().into());
            if let Some(towards) = stackability.towards() {
                achievement.insert("stackableTowards".into(), text(towards, language));
            }
        }
        if let Some(further) = spec.further_information() {
            achievement.insert("furtherInformation".into(), text(further, language));
        }
        if let Some(homepage) = spec.homepage() {
            achievement.insert("homepage".into(), homepage.as_str().into());
        }
        static SERIALS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        BadgeTemplate {
            serial: SERIALS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            context: json!([contexts::CREDENTIALS_V2, contexts::OPEN_BADGES_V3, annex_context()]),
            name: text(spec.title(), language),
            issuer: issuer_profile(institution, issuer_id),
            achievement,
            issuer_id: issuer_id.to_owned(),
            spec_version,
            image: image.map(str::to_owned),
        }
    }

    /// The `@context` of its credentials.
    pub fn context(&self) -> &Value {
        &self.context
    }

    /// The unsigned `OpenBadgeCredential` of `award`, which must be issued as the template's
    /// awards are (same issuer, version and image).
    pub fn badge(&self, award: &Award<'_>) -> Map<String, Value> {
        let mut draft = BadgeDraft::default();
        self.fill(award, &mut draft);
        draft.badge
    }

    /// Makes `draft` the unsigned credential of `award`, equal to [`BadgeTemplate::badge`]'s, and
    /// returns it. What the awards share stays in the draft from the award before when that was
    /// filled by this template too: a signer that fills one draft per cohort builds the
    /// achievement once instead of copying it for every credential.
    pub fn fill<'d>(&self, award: &Award<'_>, draft: &'d mut BadgeDraft) -> &'d Map<String, Value> {
        debug_assert!(
            award.issuer_id == self.issuer_id
                && award.spec_version == self.spec_version
                && award.image == self.image.as_deref(),
            "an award issued otherwise than its template's"
        );
        let badge = &mut draft.badge;
        if draft.template != self.serial {
            draft.template = self.serial;
            draft.achievement = serde_json::to_vec(&self.achievement).expect("a JSON map serializes");
            badge.clear();
            badge.insert("@context".into(), self.context.clone());
            badge.insert("type".into(), json!(["VerifiableCredential", "OpenBadgeCredential"]));
            badge.insert("name".into(), self.name.clone());
            badge.insert("issuer".into(), self.issuer.clone());
            let subject = json!({"type": ["AchievementSubject"], "achievement": self.achievement.clone()});
            badge.insert("credentialSubject".into(), subject);
        }
        badge.insert("id".into(), award.id.into());
        badge.insert("validFrom".into(), award.issued.to_rfc3339().into());
        set(badge, "validUntil", award.valid_until.map(|until| until.to_rfc3339().into()));
        badge.insert("awardedDate".into(), award.awarded.unwrap_or(award.issued).to_rfc3339().into());
        let status = match award.status {
            [] => None,
            [one] => Some(one.to_json()),
            many => Some(many.iter().map(StatusEntry::to_json).collect()),
        };
        set(badge, "credentialStatus", status);
        set(badge, "europeanDigitalCredential", award.counterpart.map(Value::from));
        let Some(Value::Object(subject)) = badge.get_mut("credentialSubject") else {
            unreachable!("a draft filled by its template has a subject")
        };
        let (name, value) = recipient(award.learner, award.salt);
        subject.insert(name.into(), value);
        subject.remove(if name == "id" { "identifier" } else { "id" });
        set(subject, "result", award.grade.map(|grade| json!([{"type": ["Result"], "value": grade}])));
        badge
    }
}

/// One signer's copy of a [`BadgeTemplate`]'s credential, filled anew for each award.
#[derive(Debug, Default)]
pub struct BadgeDraft {
    /// The template that filled it last; 0 for none.
    template: u64,
    badge: Map<String, Value>,
    /// The JSON text of the template's achievement, most of every badge's text.
    achievement: Vec<u8>,
}

impl BadgeDraft {
    /// The JSON text of the credential last filled, with `proof` added: what `serde_json` writes
    /// for it, with the achievement's text written once per template rather than per badge.
    pub fn signed_text(&mut self, proof: Map<String, Value>) -> String {
        self.badge.insert("proof".into(), Value::Object(proof));
        let mut text = Vec::with_capacity(self.achievement.len() * 2);
        write_object(&mut text, &self.badge, &|name, value, text| match (name, value) {
            ("credentialSubject", Value::Object(subject)) => {
                write_object(text, subject, &|name, value, text| match name {
                    "achievement" => text.extend_from_slice(&self.achievement),
                    _ => serde_json::to_writer(text, value).expect("JSON values serialize"),
                });
            }
            _ => serde_json::to_writer(text, value).expect("JSON values serialize"),
        });
        self.badge.remove("proof");
        String::from_utf8(text).expect("serde_json writes UTF-8")
    }
}

/// Writes `map` as `serde_json` does (in its order, without spaces), each value by `value`.
fn write_object(text: &mut Vec<u8>, map: &Map<String, Value>, value: &dyn Fn(&str, &Value, &mut Vec<u8>)) {
    text.push(b'{');
    for (at, (name, item)) in map.iter().enumerate() {
        if at > 0 {
            text.push(b',');
        }
        serde_json::to_writer(&mut *text, name).expect("JSON strings serialize");
        text.push(b':');
        value(name, item, text);
    }
    text.push(b'}');
}

/// Puts `value` in `map` under `name`, or takes away what is there when there is none.
fn set(map: &mut Map<String, Value>, name: &str, value: Option<Value>) {
    match value {
        Some(value) => drop(map.insert(name.into(), value)),
        None => drop(map.remove(name)),
    }
}

/// How an achievement subject names `learner`: `id`, their DID, or else `identifier`, the
/// salted hash of their email address.
fn recipient(learner: &Learner, salt: &str) -> (&'static str, Value) {
    match learner.did() {
        Some(did) => ("id", did.as_str().into()),
        None => {
            let hash = Sha256::digest(format!("{}{salt}", learner.email()));
            let identity = json!([{
                "type": "IdentityObject",
                "hashed": true,
                "identityHash": format!("sha256${}", hex_lower(&hash)),
                "identityType": "emailAddress",
                "salt": salt,
            }]);
            ("identifier", identity)
        }
    }
}

/// A stacked credential: the larger credential a learner's micro-credentials add up to along a
/// stacking pathway, awarded by the pathway's institution.
pub struct StackedAward<'a> {
    /// The credential's id (`urn:uuid:…`).
    pub id: &'a str,
    /// The pathway's handle.
    pub pathway: &'a str,
    /// Its title.
    pub title: &'a LangMap,
    /// What it asked for, in words (the criteria).
    pub criteria: &'a str,
    /// The learner.
    pub learner: &'a Learner,
    /// Salts the hash of the learner's email address when they have no DID.
    pub salt: &'a str,
    /// When.
    pub issued: Timestamp,
    /// The DID or URL the issuer signs as.
    pub issuer_id: &'a str,
    /// The ECTS its parts add up to.
    pub ects: f64,
    /// The ids of the credentials it is made of.
    pub parts: &'a [String],
}

/// Builds the unsigned `OpenBadgeCredential` of a stacked credential: an achievement of type
/// `Certificate` whose award names its parts (ELM `hasPart`, the ids of the credentials
/// counted).
pub fn stacked_badge(institution: &Institution, award: &StackedAward<'_>) -> Map<String, Value> {
    let language = award.title.iter().next().map(|(tag, _)| tag.clone()).expect("a title has a language");
    let title = text(award.title, &language);
    let achievement = json!({
        "id": format!("urn:microcred:pathway:{}", award.pathway),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title,
        "description": award.criteria,
        "criteria": {"narrative": award.criteria},
        "creditsAvailable": award.ects,
        "inLanguage": language.as_str(),
    });
    let (name, value) = recipient(award.learner, award.salt);
    let mut subject = Map::new();
    subject.insert("type".into(), json!(["AchievementSubject"]));
    subject.insert(name.into(), value);
    subject.insert("achievement".into(), achievement);
    subject.insert("hasPart".into(), award.parts.iter().map(|part| Value::String(part.clone())).collect());
    let mut credential = Map::new();
    credential.insert(
        "@context".into(),
        json!([
            contexts::CREDENTIALS_V2,
            contexts::OPEN_BADGES_V3,
            {"elm": ELM, "hasPart": {"@id": "elm:hasPart", "@type": "@id", "@container": "@set"}},
        ]),
    );
    credential.insert("id".into(), award.id.into());
    credential.insert("type".into(), json!(["VerifiableCredential", "OpenBadgeCredential"]));
    credential.insert("name".into(), title);
    credential.insert("issuer".into(), issuer_profile(institution, award.issuer_id));
    credential.insert("validFrom".into(), award.issued.to_rfc3339().into());
    credential.insert("awardedDate".into(), award.issued.to_rfc3339().into());
    credential.insert("credentialSubject".into(), Value::Object(subject));
    credential
}

/// The institution's name in its first language.
fn legal_name(institution: &Institution) -> &str {
    institution.name().iter().next().map(|(_, name)| name).unwrap_or_default()
}

fn issuer_profile(institution: &Institution, issuer_id: &str) -> Value {
    let name = legal_name(institution);
    let mut profile = json!({
        "id": issuer_id,
        "type": ["Profile"],
        "name": name,
        "address": {"type": ["Address"], "addressCountryCode": institution.country().code()},
        "otherIdentifier": [{
            "type": "IdentifierEntry",
            "identifier": institution.legal_identifier(),
            "identifierType": "identifier",
        }],
    });
    if let Some(website) = institution.website() {
        profile["url"] = website.as_str().into();
    }
    profile
}

fn alignments(spec: &Spec) -> Vec<Value> {
    let mut alignments = Vec::new();
    if let Some(level) = spec.eqf_level() {
        alignments.push(json!({
            "type": ["Alignment"],
            "targetName": format!("EQF level {level}"),
            "targetUrl": format!("http://data.europa.eu/snb/eqf/{level}"),
            "targetFramework": "European Qualifications Framework",
            "targetCode": level.to_string(),
            "targetType": "ext:EQFLevel",
        }));
    }
    if let Some(code) = spec.isced_f() {
        alignments.push(json!({
            "type": ["Alignment"],
            "targetName": code.name(),
            "targetUrl": format!("http://data.europa.eu/snb/isced-f/{code}"),
            "targetFramework": "ISCED-F 2013",
            "targetCode": code.as_str(),
            "targetType": "ext:ISCEDF",
        }));
    }
    for outcome in spec.learning_outcomes() {
        if let Some(skill) = outcome.skill() {
            alignments.push(json!({
                "type": ["Alignment"],
                "targetName": outcome.skill_name().unwrap_or(outcome.text()).best(spec.default_language()),
                "targetUrl": skill.as_str(),
                "targetFramework": "ESCO",
                "targetType": "ext:ESCOSkill",
            }));
        }
    }
    alignments
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// What a signed badge says of the award, read back from the credential for showing it: pages
/// show what was signed, never the specification as it is now. Absent or malformed fields are
/// left empty; this is a reading, not a check (verification is).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BadgeContent {
    /// The achievement's name.
    pub title: String,
    /// The achievement's description.
    pub description: String,
    /// The learning outcomes (from the criteria narrative).
    pub outcomes: Vec<String>,
    /// ECTS credits (`creditsAvailable`).
    pub ects: Option<f64>,
    /// Notional hours of learning (`volumeOfLearning`, `PT…H`).
    pub hours: Option<u32>,
    /// The EQF level the achievement is aligned to.
    pub eqf_level: Option<String>,
    /// The issuer's name.
    pub issuer: String,
    /// The version of the specification it was issued from.
    pub spec_version: Option<String>,
    /// The grade achieved.
    pub grade: Option<String>,
}

impl BadgeContent {
    /// Reads what `credential`, an `OpenBadgeCredential`, says.
    pub fn read(credential: &Map<String, Value>) -> BadgeContent {
        let string = |value: &Value| value.as_str().map(str::to_owned);
        let subject = credential.get("credentialSubject").unwrap_or(&Value::Null);
        let achievement = &subject["achievement"];
        let outcomes = achievement["criteria"]["narrative"]
            .as_str()
            .map(|narrative| match narrative.strip_prefix(OUTCOMES_HEADING) {
                Some(list) => outcome_lines(list),
                None => vec![narrative.to_owned()],
            })
            .unwrap_or_default();
        let hours = achievement["volumeOfLearning"]
            .as_str()
            .and_then(|duration| duration.strip_prefix("PT")?.strip_suffix('H')?.parse().ok());
        let eqf_level = achievement["alignment"].as_array().and_then(|alignments| {
            alignments
                .iter()
                .find(|alignment| alignment["targetType"] == "ext:EQFLevel")
                .and_then(|found| string(&found["targetCode"]))
        });
        BadgeContent {
            title: string(&achievement["name"]).or_else(|| credential.get("name").and_then(string)).unwrap_or_default(),
            description: string(&achievement["description"]).unwrap_or_default(),
            outcomes,
            ects: achievement["creditsAvailable"].as_f64(),
            hours,
            eqf_level,
            issuer: string(&credential.get("issuer").unwrap_or(&Value::Null)["name"]).unwrap_or_default(),
            spec_version: string(&achievement["version"]),
            grade: string(&subject["result"][0]["value"]),
        }
    }
}

/// The outcomes of a criteria narrative's list: each starts a line with `- `; a line that does
/// not continues the one before (an outcome written on several lines).
fn outcome_lines(list: &str) -> Vec<String> {
    let mut outcomes: Vec<String> = Vec::new();
    for line in list.lines() {
        match (line.strip_prefix("- "), outcomes.last_mut()) {
            (Some(outcome), _) => outcomes.push(outcome.to_owned()),
            (None, Some(last)) => {
                last.push('\n');
                last.push_str(line);
            }
            (None, None) if line.is_empty() => {}
            (None, None) => outcomes.push(line.to_owned()),
        }
    }
    outcomes
}

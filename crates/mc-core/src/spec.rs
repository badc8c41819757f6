//! A micro-credential specification: what a learner must achieve to be awarded a
//! micro-credential, described with every element of Annex I of the Council Recommendation of
//! 16 June 2022 (2022/C 243/02) that belongs to the specification rather than to one award.
//!
//! The elements that belong to one award (identification of the learner, date of issuing, grade
//! achieved) live with the issued credential.

use std::fmt;

use crate::{
    codes,
    error::ValueError,
    ids::{InstitutionId, SpecId},
    lang::{LangMap, LanguageTag},
    values::HttpUrl,
};

/// Defines an enum of kebab-case names, with `parse`, `as_str` and the list of names for error
/// messages.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Parses the kebab-case name.
            pub fn parse(raw: &str) -> Result<$name, ValueError> {
                match raw {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ValueError::new(format!(
                        concat!("unknown ", $what, " {:?}: expected one of {}"),
                        raw,
                        [$($text),+].join(", ")
                    ))),
                }
            }

            /// The kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// The cycle of the Qualifications Framework in the European Higher Education Area.
    QfEheaCycle, "QF-EHEA cycle" {
        /// Short cycle, within or linked to the first cycle (EQF 5).
        Short = "short",
        /// First cycle, bachelor (EQF 6).
        First = "first",
        /// Second cycle, master (EQF 7).
        Second = "second",
        /// Third cycle, doctorate (EQF 8).
        Third = "third",
    }
);

impl QfEheaCycle {
    /// The EQF level that corresponds to the cycle.
    pub fn eqf_level(self) -> EqfLevel {
        EqfLevel(match self {
            QfEheaCycle::Short => 5,
            QfEheaCycle::First => 6,
            QfEheaCycle::Second => 7,
            QfEheaCycle::Third => 8,
        })
    }
}

named_enum!(
    /// Whether the assessment counts towards the award (Annex I element 9, type of assessment).
    AssessmentKind, "assessment kind" {
        /// Assessment of learning that decides the award.
        Summative = "summative",
        /// Assessment for learning, with feedback, that does not decide the award.
        Formative = "formative",
        /// The learner assesses their own learning.
        SelfAssessment = "self-assessment",
    }
);

named_enum!(
    /// How learning outcomes are assessed.
    AssessmentMethod, "assessment method" {
        /// A written examination.
        WrittenExam = "written-exam",
        /// An oral examination.
        OralExam = "oral-exam",
        /// An examination taken online.
        OnlineExam = "online-exam",
        /// A project.
        Project = "project",
        /// A portfolio of work.
        Portfolio = "portfolio",
        /// Practical work or a demonstration of skills.
        Practical = "practical",
        /// A presentation.
        Presentation = "presentation",
        /// A thesis or written report.
        Thesis = "thesis",
        /// Review by peers.
        PeerReview = "peer-review",
        /// Any other method (describe it in the assessment's description).
        Other = "other",
    }
);

named_enum!(
    /// The form of participation in the learning activity (Annex I element 10).
    Participation, "form of participation" {
        /// Fully online.
        Online = "online",
        /// On site.
        Onsite = "onsite",
        /// A mix of online and on site.
        Blended = "blended",
    }
);

named_enum!(
    /// Supervision and identity verification during assessment (Annex I optional element).
    IdentityVerification, "identity verification" {
        /// Unsupervised, with no identity verification.
        UnsupervisedWithoutId = "unsupervised-without-id",
        /// Supervised, with no identity verification.
        SupervisedWithoutId = "supervised-without-id",
        /// Supervised online, with identity verification.
        SupervisedOnlineWithId = "supervised-online-with-id",
        /// Supervised on site, with identity verification.
        SupervisedOnsiteWithId = "supervised-onsite-with-id",
    }
);

impl IdentityVerification {
    /// Whether the learner's identity is verified at assessment.
    pub fn verifies_identity(self) -> bool {
        matches!(self, IdentityVerification::SupervisedOnlineWithId | IdentityVerification::SupervisedOnsiteWithId)
    }
}

named_enum!(
    /// Integration and stackability options (Annex I optional element).
    StackabilityOption, "stackability option" {
        /// A stand-alone, independent micro-credential.
        StandAlone = "stand-alone",
        /// Integrated into a larger credential.
        Integrated = "integrated",
        /// Stackable towards another credential.
        Stackable = "stackable",
    }
);

/// A level of the European Qualifications Framework, 1 to 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EqfLevel(u8);

impl EqfLevel {
    /// Parses a level given as a number.
    pub fn parse(raw: i64) -> Result<EqfLevel, ValueError> {
        match u8::try_from(raw) {
            Ok(level @ 1..=8) => Ok(EqfLevel(level)),
            _ => Err(ValueError::new(format!("{raw} is not an EQF level: levels go from 1 to 8"))),
        }
    }

    /// The level as a number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for EqfLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A field of education and training in ISCED-F 2013: broad (2 digits), narrow (3) or
/// detailed (4), such as `0613` (software and applications development and analysis).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IscedCode(String);

impl IscedCode {
    /// Parses a code listed in ISCED-F 2013.
    pub fn parse(raw: &str) -> Result<IscedCode, ValueError> {
        match codes::isced_f_name(raw) {
            Some(_) => Ok(IscedCode(raw.to_owned())),
            None => Err(ValueError::new(format!(
                "{raw:?} is not an ISCED-F 2013 field code: use the 2-, 3- or 4-digit code, such as \"0613\""
            ))),
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The field's English name.
    pub fn name(&self) -> &'static str {
        codes::isced_f_name(&self.0).unwrap_or_default()
    }

    /// The broad field (the first two digits).
    pub fn broad(&self) -> IscedCode {
        IscedCode(self.0[..2].to_owned())
    }
}

impl fmt::Display for IscedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The notional workload needed to achieve the learning outcomes (Annex I element 7): ECTS
/// credits where possible, hours of study, or both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    ects: Option<f64>,
    hours: Option<u32>,
}

impl Workload {
    /// The most ECTS credits a specification may carry (a whole bachelor is 240).
    pub const MAX_ECTS: f64 = 240.0;
    /// The most hours of study a specification may carry.
    pub const MAX_HOURS: i64 = 7_200;

    /// Parses ECTS credits and hours; at least one must be given.
    pub fn parse(ects: Option<f64>, hours: Option<i64>) -> Result<Workload, ValueError> {
        let ects = ects
            .map(|ects| match ects {
                ects if !ects.is_finite() || ects <= 0.0 => {
                    Err(ValueError::new(format!("ects must be a positive number of credits, not {ects}")))
                }
                ects if ects > Workload::MAX_ECTS => Err(ValueError::new(format!(
                    "ects {ects} is more than the {} credits a specification may carry",
                    Workload::MAX_ECTS
                ))),
                ects if (ects * 100.0).fract().abs() > 1e-9 => {
                    Err(ValueError::new(format!("ects {ects} has more than two decimals")))
                }
                ects => Ok(ects),
            })
            .transpose()?;
        let hours = hours
            .map(|hours| match hours {
                1..=Workload::MAX_HOURS => Ok(hours as u32),
                _ => Err(ValueError::new(format!(
                    "hours must be a whole number from 1 to {}, not {hours}",
                    Workload::MAX_HOURS
                ))),
            })
            .transpose()?;
        if ects.is_none() && hours.is_none() {
            return Err(ValueError::new("give the workload in ects, in hours, or both"));
        }
        Ok(Workload { ects, hours })
    }

    /// ECTS credits, when given.
    pub fn ects(&self) -> Option<f64> {
        self.ects
    }

    /// Hours of study, when given.
    pub fn hours(&self) -> Option<u32> {
        self.hours
    }
}

/// One learning outcome: what a learner knows, understands and can do, optionally linked to an
/// ESCO skill or another skill framework's concept.
#[derive(Debug, Clone, PartialEq)]
pub struct LearningOutcome {
    pub(crate) text: LangMap,
    pub(crate) skill: Option<HttpUrl>,
    pub(crate) skill_name: Option<LangMap>,
}

impl LearningOutcome {
    /// Makes an outcome from its parts.
    pub fn new(text: LangMap, skill: Option<HttpUrl>) -> LearningOutcome {
        LearningOutcome { text, skill, skill_name: None }
    }

    /// The outcome's statement.
    pub fn text(&self) -> &LangMap {
        &self.text
    }

    /// The skill it is linked to, such as `http://data.europa.eu/esco/skill/…`.
    pub fn skill(&self) -> Option<&HttpUrl> {
        self.skill.as_ref()
    }

    /// The skill's name by language (its ESCO preferred label), shown instead of its URI.
    pub fn skill_name(&self) -> Option<&LangMap> {
        self.skill_name.as_ref()
    }
}

/// The type of assessment (Annex I element 9).
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub(crate) kind: AssessmentKind,
    pub(crate) methods: Vec<AssessmentMethod>,
    pub(crate) description: Option<LangMap>,
}

impl Assessment {
    /// Whether the assessment is summative, formative or self-assessment.
    pub fn kind(&self) -> AssessmentKind {
        self.kind
    }

    /// The methods used, never empty.
    pub fn methods(&self) -> &[AssessmentMethod] {
        &self.methods
    }

    /// A description of the assessment.
    pub fn description(&self) -> Option<&LangMap> {
        self.description.as_ref()
    }
}

/// The type of quality assurance that underpins the micro-credential (Annex I element 11).
#[derive(Debug, Clone, PartialEq)]
pub struct QualityAssurance {
    pub(crate) internal: bool,
    pub(crate) external: bool,
    pub(crate) body: Option<String>,
    pub(crate) description: Option<LangMap>,
}

impl QualityAssurance {
    /// Whether the institution's internal quality assurance covers it.
    pub fn internal(&self) -> bool {
        self.internal
    }

    /// Whether an external quality assurance body reviews it.
    pub fn external(&self) -> bool {
        self.external
    }

    /// The name of the external quality assurance body.
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// A description of the quality assurance.
    pub fn description(&self) -> Option<&LangMap> {
        self.description.as_ref()
    }
}

/// Integration and stackability options.
#[derive(Debug, Clone, PartialEq)]
pub struct Stackability {
    pub(crate) option: StackabilityOption,
    pub(crate) towards: Option<LangMap>,
}

impl Stackability {
    /// Stand-alone, integrated or stackable.
    pub fn option(&self) -> StackabilityOption {
        self.option
    }

    /// What it integrates into or stacks towards.
    pub fn towards(&self) -> Option<&LangMap> {
        self.towards.as_ref()
    }
}

/// A micro-credential specification. Built only from a valid
/// [`SpecDocument`](crate::wire::SpecDocument), so its cross-field rules always hold: the
/// default language has a title, the QF-EHEA cycle matches the EQF level.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub(crate) id: SpecId,
    pub(crate) awarding_bodies: Vec<InstitutionId>,
    pub(crate) default_language: LanguageTag,
    pub(crate) languages: Vec<LanguageTag>,
    pub(crate) title: LangMap,
    pub(crate) description: Option<LangMap>,
    pub(crate) learning_outcomes: Vec<LearningOutcome>,
    pub(crate) workload: Workload,
    pub(crate) eqf_level: Option<EqfLevel>,
    pub(crate) qf_ehea_cycle: Option<QfEheaCycle>,
    pub(crate) isced_f: Option<IscedCode>,
    pub(crate) assessment: Assessment,
    pub(crate) participation: Participation,
    pub(crate) quality_assurance: QualityAssurance,
    pub(crate) prerequisites: Option<LangMap>,
    pub(crate) identity_verification: Option<IdentityVerification>,
    pub(crate) grading_scheme: Option<LangMap>,
    pub(crate) stackability: Option<Stackability>,
    pub(crate) further_information: Option<LangMap>,
    pub(crate) homepage: Option<HttpUrl>,
}

impl Spec {
    /// The specification's identifier.
    pub fn id(&self) -> SpecId {
        self.id
    }

    /// The awarding bodies (Annex I element 4), never empty; the first one issues.
    pub fn awarding_bodies(&self) -> &[InstitutionId] {
        &self.awarding_bodies
    }

    /// The institution that issues the micro-credential.
    pub fn issuer(&self) -> &InstitutionId {
        &self.awarding_bodies[0]
    }

    /// The language its texts are shown in when the reader's is missing.
    pub fn default_language(&self) -> &LanguageTag {
        &self.default_language
    }

    /// The languages of instruction and assessment, never empty.
    pub fn languages(&self) -> &[LanguageTag] {
        &self.languages
    }

    /// The title (Annex I element 2).
    pub fn title(&self) -> &LangMap {
        &self.title
    }

    /// The title in the default language.
    pub fn default_title(&self) -> &str {
        self.title.best(&self.default_language)
    }

    /// A short description.
    pub fn description(&self) -> Option<&LangMap> {
        self.description.as_ref()
    }

    /// The learning outcomes (Annex I element 6), never empty.
    pub fn learning_outcomes(&self) -> &[LearningOutcome] {
        &self.learning_outcomes
    }

    /// The notional workload (Annex I element 7).
    pub fn workload(&self) -> Workload {
        self.workload
    }

    /// The EQF level (Annex I element 8), when applicable.
    pub fn eqf_level(&self) -> Option<EqfLevel> {
        self.eqf_level
    }

    /// The QF-EHEA cycle (Annex I element 8), when applicable.
    pub fn qf_ehea_cycle(&self) -> Option<QfEheaCycle> {
        self.qf_ehea_cycle
    }

    /// The ISCED-F 2013 field of education and training.
    pub fn isced_f(&self) -> Option<&IscedCode> {
        self.isced_f.as_ref()
    }

    /// The type of assessment (Annex I element 9).
    pub fn assessment(&self) -> &Assessment {
        &self.assessment
    }

    /// The form of participation (Annex I element 10).
    pub fn participation(&self) -> Participation {
        self.participation
    }

    /// The type of quality assurance (Annex I element 11).
    pub fn quality_assurance(&self) -> &QualityAssurance {
        &self.quality_assurance
    }

    /// Prerequisites needed to enrol.
    pub fn prerequisites(&self) -> Option<&LangMap> {
        self.prerequisites.as_ref()
    }

    /// Supervision and identity verification during assessment.
    pub fn identity_verification(&self) -> Option<IdentityVerification> {
        self.identity_verification
    }

    /// The grading scheme.
    pub fn grading_scheme(&self) -> Option<&LangMap> {
        self.grading_scheme.as_ref()
    }

    /// Integration and stackability options.
    pub fn stackability(&self) -> Option<&Stackability> {
        self.stackability.as_ref()
    }

    /// Further information.
    pub fn further_information(&self) -> Option<&LangMap> {
        self.further_information.as_ref()
    }

    /// A web page about the micro-credential.
    pub fn homepage(&self) -> Option<&HttpUrl> {
        self.homepage.as_ref()
    }
}

//! Generated catalogues, for tests and the `bench catalogue` command: specifications in
//! English and Spanish made from a seed, spread over institutions, countries, levels, fields
//! and skills.

use mc_core::{
    SpecId, quality,
    wire::{AssessmentDocument, LearningOutcomeDocument, QualityAssuranceDocument, SpecDocument, WorkloadDocument},
};

use crate::{Entry, InstitutionFacts};

/// Topics in English and Spanish.
const TOPICS: &[(&str, &str)] = &[
    ("Data analysis", "Análisis de datos"),
    ("Sustainable tourism", "Turismo sostenible"),
    ("Project management", "Gestión de proyectos"),
    ("Machine learning", "Aprendizaje automático"),
    ("Renewable energy", "Energías renovables"),
    ("Digital marketing", "Marketing digital"),
    ("Public health", "Salud pública"),
    ("Circular economy", "Economía circular"),
    ("Cybersecurity", "Ciberseguridad"),
    ("Teaching with technology", "Enseñanza con tecnología"),
    ("Financial accounting", "Contabilidad financiera"),
    ("Urban planning", "Planificación urbana"),
    ("Water management", "Gestión del agua"),
    ("Food safety", "Seguridad alimentaria"),
    ("Supply chain logistics", "Logística de la cadena de suministro"),
    ("Intercultural communication", "Comunicación intercultural"),
    ("Software testing", "Pruebas de software"),
    ("Climate adaptation", "Adaptación al cambio climático"),
    ("Gerontological nursing", "Enfermería gerontológica"),
    ("Entrepreneurship", "Emprendimiento"),
];

/// Audiences in English and Spanish.
const AUDIENCES: &[(&str, &str)] = &[
    ("for beginners", "para principiantes"),
    ("for managers", "para directivos"),
    ("for teachers", "para docentes"),
    ("for engineers", "para ingenieros"),
    ("for public servants", "para empleados públicos"),
    ("in practice", "en la práctica"),
];

/// Learning outcome verbs and objects in English and Spanish.
const VERBS: &[(&str, &str)] = &[
    ("Analyse", "Analizar"),
    ("Design", "Diseñar"),
    ("Evaluate", "Evaluar"),
    ("Plan", "Planificar"),
    ("Manage", "Gestionar"),
    ("Apply", "Aplicar"),
];
const OBJECTS: &[(&str, &str)] = &[
    ("the risks of a project", "los riesgos de un proyecto"),
    ("sustainable strategies", "estrategias sostenibles"),
    ("statistical models", "modelos estadísticos"),
    ("the needs of learners", "las necesidades de los estudiantes"),
    ("energy consumption data", "los datos de consumo energético"),
    ("public policies", "las políticas públicas"),
    ("digital tools", "las herramientas digitales"),
    ("a communication plan", "un plan de comunicación"),
];

const ISCED: &[&str] = &["0111", "0311", "0413", "0488", "0532", "0613", "0714", "0731", "0913", "1015", "1022"];
const COUNTRIES: &[&str] = &["ES", "IT", "FI", "DE", "FR", "PT", "NL", "PL", "IE", "AT"];
const PARTICIPATION: &[&str] = &["online", "onsite", "blended"];

/// A small deterministic generator (xorshift64*), so a seed always gives the same catalogue.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The institutions of a generated catalogue: `inst-0` … `inst-39`, four per country.
pub fn institutions() -> Vec<InstitutionFacts> {
    (0..40)
        .map(|n| InstitutionFacts {
            id: format!("inst-{n}"),
            name: format!("University {n}"),
            country: COUNTRIES[n % COUNTRIES.len()].to_owned(),
        })
        .collect()
}

/// The document of the `n`th generated specification.
pub fn document(rng: &mut Rng, n: usize, institution: &str) -> SpecDocument {
    let topic = rng.pick(TOPICS);
    let audience = rng.pick(AUDIENCES);
    let spanish = rng.below(3) > 0;
    let english = !spanish || rng.below(2) == 0;
    let text = |en: String, es: String| {
        let mut map = std::collections::BTreeMap::new();
        if english {
            map.insert("en".to_owned(), en);
        }
        if spanish {
            map.insert("es".to_owned(), es);
        }
        map
    };
    let outcomes = (0..2 + rng.below(4))
        .map(|_| {
            let (verb, object) = (rng.pick(VERBS), rng.pick(OBJECTS));
            let skill = rng.below(500);
            LearningOutcomeDocument {
                text: Some(text(format!("{} {}", verb.0, object.0), format!("{} {}", verb.1, object.1))),
                skill: Some(format!("http://data.europa.eu/esco/skill/generated-{skill}")),
                skill_name: Some(text(format!("generated skill {skill}"), format!("competencia generada {skill}"))),
            }
        })
        .collect();
    let ects = [2.0, 3.0, 4.0, 5.0, 6.0, 7.5, 10.0, 15.0][rng.below(8)];
    let languages = [english.then_some("en"), spanish.then_some("es")].into_iter().flatten().map(str::to_owned);
    SpecDocument {
        id: Some(
            SpecId::from_uuid(uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 | n as u128)).to_string(),
        ),
        awarding_bodies: Some(vec![institution.to_owned()]),
        languages: Some(languages.collect()),
        title: Some(text(format!("{} {} ({n})", topic.0, audience.0), format!("{} {} ({n})", topic.1, audience.1))),
        description: Some(text(
            format!("A course on {} {}, with practical work.", topic.0.to_lowercase(), audience.0),
            format!("Un curso de {} {}, con trabajo práctico.", topic.1.to_lowercase(), audience.1),
        )),
        learning_outcomes: Some(outcomes),
        workload: Some(WorkloadDocument { ects: Some(ects), hours: Some((ects * 25.0) as i64) }),
        eqf_level: (rng.below(10) > 0).then(|| 4 + rng.below(5) as i64),
        isced_f: Some((*rng.pick(ISCED)).to_owned()),
        assessment: Some(AssessmentDocument {
            kind: Some("summative".to_owned()),
            methods: Some(vec!["project".to_owned()]),
            description: None,
        }),
        participation: Some((*rng.pick(PARTICIPATION)).to_owned()),
        quality_assurance: Some(QualityAssuranceDocument { internal: true, ..Default::default() }),
        ..Default::default()
    }
}

/// The specification of a generated document (which names its id).
pub fn spec(document: &SpecDocument) -> mc_core::Spec {
    document.parse(SpecId::from_uuid(uuid::Uuid::nil())).expect("a generated specification is valid")
}

/// A catalogue of `count` generated specifications from `seed`.
pub fn entries(count: usize, seed: u64) -> Vec<Entry> {
    let mut rng = Rng::new(seed);
    let institutions = institutions();
    (0..count)
        .map(|n| {
            let institution = rng.pick(&institutions).clone();
            let document = document(&mut rng, n, &institution.id);
            let spec = spec(&document);
            let labels = quality::check(&document, &|_| Some(institution.country.clone())).labels;
            Entry { spec, institutions: vec![institution], labels, published_at: n as i64, recognised_by: Vec::new() }
        })
        .collect()
}

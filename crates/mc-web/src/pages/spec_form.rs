//! The specification form: one field per element of the Council Recommendation, texts in a tab
//! per language, learning outcomes as a list with a skill picker, the quality report beside it,
//! and a draft saved even while it does not read as a specification yet. It works without
//! JavaScript: every button posts the whole form, and the page comes back with it as written.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use mc_app::{App, AppError, IssuerAccess};
use mc_core::{
    AssessmentKind, AssessmentMethod, IdentityVerification, Participation, QfEheaCycle, StackabilityOption,
    quality::QualityReport,
    wire::{
        AssessmentDocument, LangMapDocument, LearningOutcomeDocument, QualityAssuranceDocument, SpecDocument,
        StackabilityDocument, WorkloadDocument,
    },
};

use super::{
    Chrome, PageError, Visitor,
    catalogue::{FindingView, LabelView, findings, labels},
    i18n::{self, Lang},
    render,
};

/// The most learning outcomes the form shows (the document format's limit).
const MAX_OUTCOMES: usize = 100;
/// The most languages the texts may be written in.
const MAX_LANGUAGES: usize = 24;
/// The most fields a posted form may have (each is looked up by name as the form is read).
const MAX_FIELDS: usize = 20_000;
/// How many skills the picker offers at once.
const SKILL_CHOICES: usize = 8;

/// A form as posted: every name with its values, in order.
struct Posted(Vec<(String, String)>);

impl Posted {
    fn one(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map_or("", |(_, value)| value.trim())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(n, v)| n == name && !v.trim().is_empty()).map(|(_, v)| v.trim().to_owned()).collect()
    }

    /// The texts `{name}.{language}` posted, by language; `None` when all are empty.
    fn texts(&self, name: &str) -> Option<LangMapDocument> {
        let prefix = format!("{name}.");
        let map: LangMapDocument = self
            .0
            .iter()
            .filter_map(|(n, value)| {
                let language = n.strip_prefix(&prefix)?;
                let value = value.trim();
                (!value.is_empty() && !language.contains('.')).then(|| (language.to_owned(), value.to_owned()))
            })
            .collect();
        (!map.is_empty()).then_some(map)
    }

    fn optional(&self, name: &str) -> Option<String> {
        Some(self.one(name)).filter(|value| !value.is_empty()).map(str::to_owned)
    }
}

/// Reads the document the form describes, and what in it is not a number where one belongs.
fn document_of(posted: &Posted) -> (SpecDocument, Vec<&'static str>) {
    let mut not_numbers = Vec::new();
    let mut number = |name: &'static str| -> Option<f64> {
        let raw = posted.one(name);
        match raw.replace(',', ".").parse::<f64>() {
            _ if raw.is_empty() => None,
            Ok(number) if number.is_finite() => Some(number),
            _ => {
                not_numbers.push(name);
                None
            }
        }
    };
    let ects = number("ects");
    let hours = match posted.one("hours") {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(hours) => Some(hours),
            Err(_) => {
                not_numbers.push("hours");
                None
            }
        },
    };
    let count = posted.one("outcomes").parse::<usize>().unwrap_or(0).min(MAX_OUTCOMES);
    let outcomes: Vec<LearningOutcomeDocument> = (0..count)
        .map(|n| LearningOutcomeDocument {
            text: posted.texts(&format!("outcome.{n}.text")),
            skill: posted.optional(&format!("outcome.{n}.skill")),
            skill_name: posted.texts(&format!("outcome.{n}.skill_name")),
        })
        .collect();
    let methods = posted.all("assessment_methods");
    let (internal, external) = (posted.one("qa_internal") == "yes", posted.one("qa_external") == "yes");
    let stackability = StackabilityDocument {
        option: posted.optional("stackability_option"),
        towards: posted.texts("stackability_towards"),
    };
    let document = SpecDocument {
        id: posted.optional("id"),
        awarding_bodies: Some(
            posted
                .one("awarding_bodies")
                .split([',', ' ', '\n'])
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        default_language: posted.optional("default_language"),
        languages: Some(posted.all("languages")).filter(|languages| !languages.is_empty()),
        title: posted.texts("title"),
        description: posted.texts("description"),
        learning_outcomes: Some(outcomes).filter(|outcomes| !outcomes.is_empty()),
        workload: (ects.is_some() || hours.is_some()).then_some(WorkloadDocument { ects, hours }),
        eqf_level: posted.one("eqf_level").parse::<i64>().ok(),
        qf_ehea_cycle: posted.optional("qf_ehea_cycle"),
        isced_f: posted.optional("isced_f"),
        assessment: Some(AssessmentDocument {
            kind: posted.optional("assessment_kind"),
            methods: Some(methods).filter(|methods| !methods.is_empty()),
            description: posted.texts("assessment_description"),
        }),
        participation: posted.optional("participation"),
        quality_assurance: Some(QualityAssuranceDocument {
            internal,
            external,
            body: posted.optional("qa_body"),
            description: posted.texts("qa_description"),
        }),
        prerequisites: posted.texts("prerequisites"),
        identity_verification: posted.optional("identity_verification"),
        grading_scheme: posted.texts("grading_scheme"),
        stackability: (stackability.option.is_some() || stackability.towards.is_some()).then_some(stackability),
        further_information: posted.texts("further_information"),
        homepage: posted.optional("homepage"),
    };
    (document, not_numbers)
}

/// The texts of a document by their name in the form.
fn texts_of(document: &SpecDocument) -> BTreeMap<&'static str, LangMapDocument> {
    let assessment = document.assessment.as_ref();
    let qa = document.quality_assurance.as_ref();
    let found = [
        ("title", document.title.clone()),
        ("description", document.description.clone()),
        ("assessment_description", assessment.and_then(|a| a.description.clone())),
        ("qa_description", qa.and_then(|qa| qa.description.clone())),
        ("prerequisites", document.prerequisites.clone()),
        ("grading_scheme", document.grading_scheme.clone()),
        ("stackability_towards", document.stackability.as_ref().and_then(|s| s.towards.clone())),
        ("further_information", document.further_information.clone()),
    ];
    found.into_iter().map(|(name, map)| (name, map.unwrap_or_default())).collect()
}

/// A text of the form in every language: the one being written shows, the others ride along
/// hidden.
pub(crate) struct TextField {
    name: String,
    /// The name as an element id (dots become dashes), to which the language is added.
    id: String,
    label: &'static str,
    help: &'static str,
    /// A long text (a text area) rather than a line.
    long: bool,
    /// The text in each language of the form's tabs.
    values: Vec<(String, String)>,
}

/// A learning outcome as the form shows it.
pub(crate) struct OutcomeField {
    n: usize,
    text: TextField,
    skill: String,
    skill_name: TextField,
    /// The skill's name shown, in the tab's language or another: language, name.
    shown_name: (String, String),
    /// The words searched for in the skill picker, and the skills found.
    find: String,
    found: Vec<FoundSkill>,
}

/// A problem with what the form says, in words, and the English detail behind it when the
/// page's language has only a general sentence for it.
pub(crate) type Problem = (String, Option<String>);

/// A choice of a select: value, words, whether chosen.
pub(crate) type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "spec_form.html")]
struct FormPage {
    chrome: Chrome,
    lang: Lang,
    id: String,
    /// An unfinished draft is shown, which may be discarded.
    draft: bool,
    /// The language whose texts are being written, its name, and the tabs: code, name, current.
    tab: String,
    tab_name: String,
    tabs: Vec<Choice>,
    /// Languages that may be added as a tab.
    more_languages: Vec<Choice>,
    message: Option<&'static str>,
    problems: Vec<Problem>,
    awarding_bodies: String,
    languages: Vec<Choice>,
    default_language: Vec<Choice>,
    title: TextField,
    description: TextField,
    assessment_description: TextField,
    qa_description: TextField,
    prerequisites: TextField,
    grading_scheme: TextField,
    stackability_towards: TextField,
    further_information: TextField,
    outcomes: Vec<OutcomeField>,
    ects: String,
    hours: String,
    eqf_level: Vec<Choice>,
    qf_ehea_cycle: Vec<Choice>,
    isced_f: Vec<(String, Vec<Choice>)>,
    participation: Vec<Choice>,
    assessment_kind: Vec<Choice>,
    assessment_methods: Vec<Choice>,
    qa_internal: bool,
    qa_external: bool,
    qa_body: String,
    identity_verification: Vec<Choice>,
    stackability_option: Vec<Choice>,
    homepage: String,
    labels: Vec<LabelView>,
    findings: Vec<FindingView>,
}

impl FormPage {
    /// A field's label.
    fn label(&self, name: &str) -> &'static str {
        i18n::form_field(self.lang, name).0
    }

    /// A field's short help.
    fn help(&self, name: &str) -> &'static str {
        i18n::form_field(self.lang, name).1
    }
}

/// The languages a text may be written in: the European Union's official languages and a few
/// more of its universities' partners, by code.
const LANGUAGES: [&str; 30] = [
    "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "eu", "fi", "fr", "ga", "gl", "hr", "hu", "is", "it", "lt",
    "lv", "mt", "nl", "no", "pl", "pt", "ro", "sk", "sl", "sv", "uk",
];

fn language_name(code: &str, lang: Lang) -> String {
    mc_core::language_name_in(code, lang.code()).unwrap_or(code).to_owned()
}

/// `(value, words, chosen)` for each of `values`, with an empty first choice when `blank`.
fn choices<'a>(
    values: impl IntoIterator<Item = (&'a str, String)>,
    chosen: Option<&str>,
    blank: Option<&str>,
) -> Vec<Choice> {
    let mut all: Vec<Choice> =
        blank.map(|words| (String::new(), words.to_owned(), chosen.is_none_or(str::is_empty))).into_iter().collect();
    all.extend(values.into_iter().map(|(value, words)| (value.to_owned(), words, Some(value) == chosen)));
    all
}

/// What the form is asked to do besides saving.
enum Action {
    Save,
    Check,
    Tab(String),
    AddLanguage,
    AddOutcome,
    RemoveOutcome(usize),
    FindSkill(usize),
    PickSkill(usize, String),
    DiscardDraft,
    ClearSkill(usize),
}

impl Action {
    fn parse(raw: &str) -> Action {
        let (verb, rest) = raw.split_once(':').unwrap_or((raw, ""));
        let number = |raw: &str| raw.parse::<usize>().ok();
        match verb {
            "save" => Action::Save,
            "tab" => Action::Tab(rest.to_owned()),
            "add-language" => Action::AddLanguage,
            "add-outcome" => Action::AddOutcome,
            "remove-outcome" => number(rest).map_or(Action::Check, Action::RemoveOutcome),
            "find-skill" => number(rest).map_or(Action::Check, Action::FindSkill),
            "clear-skill" => number(rest).map_or(Action::Check, Action::ClearSkill),
            "pick-skill" => match rest.split_once(':').and_then(|(n, uri)| Some((number(n)?, uri))) {
                Some((n, uri)) => Action::PickSkill(n, uri.to_owned()),
                None => Action::Check,
            },
            "discard-draft" => Action::DiscardDraft,
            _ => Action::Check,
        }
    }
}

/// What the page is built from: the document, the tabs, and the picker's searches.
struct FormState {
    document: SpecDocument,
    tab: String,
    tabs: Vec<String>,
    /// The outcome whose skill picker was searched, and the words searched for.
    find: Option<(usize, String)>,
    message: Option<&'static str>,
    problems: Vec<Problem>,
    /// Whether what is shown is an unfinished draft kept for the institution.
    draft: bool,
}

/// A skill the picker found: its URI, its name, and the language of the name.
type FoundSkill = (String, String, String);

/// The skills whose name holds every word of `words` (ESCO's, as the operator imported them,
/// and those of the demo's specifications), by their names in the page's language, then in
/// English; each once.
async fn find_skills(app: &App, words: &str, lang: Lang) -> Result<Vec<FoundSkill>, AppError> {
    if words.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut found: Vec<FoundSkill> = Vec::new();
    let languages = if lang.code() == "en" { vec!["en"] } else { vec![lang.code(), "en"] };
    for language in languages {
        for skill in app.find_skills(words, language, SKILL_CHOICES).await? {
            if found.len() < SKILL_CHOICES && !found.iter().any(|(known, _, _)| *known == skill.uri) {
                found.push((skill.uri, skill.name, language.to_owned()));
            }
        }
    }
    Ok(found)
}

/// The languages that get a tab: those the texts are written in, those of instruction, the
/// page's, and `extra`, in that order, once each.
fn tabs_of(document: &SpecDocument, lang: Lang, extra: &[String]) -> Vec<String> {
    let mut tabs: Vec<String> = Vec::new();
    let mut add = |code: &str| {
        if !code.is_empty() && !tabs.iter().any(|tab| tab == code) && tabs.len() < MAX_LANGUAGES {
            tabs.push(code.to_owned());
        }
    };
    if let Some(default) = &document.default_language {
        add(default);
    }
    for map in texts_of(document).values() {
        map.keys().for_each(|code| add(code));
    }
    for outcome in document.learning_outcomes.iter().flatten() {
        outcome.text.iter().chain(outcome.skill_name.iter()).flat_map(|map| map.keys()).for_each(|code| add(code));
    }
    document.languages.iter().flatten().for_each(|code| add(code));
    add(lang.code());
    extra.iter().for_each(|code| add(code));
    tabs
}

fn text_field(
    name: String,
    label: &'static str,
    help: &'static str,
    long: bool,
    map: Option<&LangMapDocument>,
    tabs: &[String],
) -> TextField {
    let values = tabs
        .iter()
        .map(|code| (code.clone(), map.and_then(|map| map.get(code)).cloned().unwrap_or_default()))
        .collect();
    TextField { id: name.replace('.', "-"), name, label, help, long, values }
}

async fn form_page(
    app: &App,
    visitor: &Visitor,
    state: FormState,
    report: Option<&QualityReport>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let t = visitor.t();
    let document = &state.document;
    let tabs = &state.tabs;
    let texts = texts_of(document);
    let help = |name: &str| i18n::form_field(lang, name);
    let text = |name: &'static str| {
        let (label, hint) = help(name);
        let long = !matches!(name, "title" | "stackability_towards");
        text_field(name.to_owned(), label, hint, long, texts.get(name), tabs)
    };
    let mut outcomes = Vec::new();
    for (n, outcome) in document.learning_outcomes.iter().flatten().enumerate() {
        let find = state.find.as_ref().filter(|(searched, _)| *searched == n).map(|(_, words)| words.clone());
        let find = find.unwrap_or_default();
        let found = find_skills(app, &find, lang).await.map_err(|err| visitor.fail(err))?;
        let (label, hint) = help("outcome");
        let (name_label, name_hint) = help("skill_name");
        outcomes.push(OutcomeField {
            n,
            text: text_field(format!("outcome.{n}.text"), label, hint, true, outcome.text.as_ref(), tabs),
            skill: outcome.skill.clone().unwrap_or_default(),
            shown_name: outcome
                .skill_name
                .as_ref()
                .and_then(|names| names.get_key_value(&state.tab).or_else(|| names.iter().next()))
                .map(|(language, name)| (language.clone(), name.clone()))
                .unwrap_or_default(),
            skill_name: text_field(
                format!("outcome.{n}.skill_name"),
                name_label,
                name_hint,
                false,
                outcome.skill_name.as_ref(),
                tabs,
            ),
            find,
            found,
        });
    }
    let chosen_languages = document.languages.clone().unwrap_or_default();
    // The usual languages, and any other the document names (from an import), kept.
    let others = chosen_languages.iter().filter(|code| !LANGUAGES.contains(&code.as_str())).map(String::as_str);
    let languages = LANGUAGES
        .iter()
        .copied()
        .chain(others)
        .map(|code| (code.to_owned(), language_name(code, lang), chosen_languages.iter().any(|chosen| chosen == code)))
        .collect();
    let default_language = choices(
        tabs.iter().map(|code| (code.as_str(), language_name(code, lang))),
        document.default_language.as_deref(),
        None,
    );
    let workload = document.workload.clone().unwrap_or_default();
    let eqf = document.eqf_level.map(|level| level.to_string());
    let eqf_level = choices(
        ["1", "2", "3", "4", "5", "6", "7", "8"].map(|level| (level, i18n::eqf_level(lang, level))),
        eqf.as_deref(),
        Some(t.form_none),
    );
    let qf_ehea_cycle = choices(
        QfEheaCycle::ALL.iter().map(|cycle| (cycle.as_str(), i18n::qf_ehea_cycle(lang, *cycle).to_owned())),
        document.qf_ehea_cycle.as_deref(),
        Some(t.form_none),
    );
    let isced_f = isced_choices(lang, document.isced_f.as_deref());
    let participation = choices(
        Participation::ALL.iter().map(|p| (p.as_str(), i18n::participation(lang, p.as_str()).to_owned())),
        document.participation.as_deref(),
        Some(t.form_choose),
    );
    let assessment = document.assessment.clone().unwrap_or_default();
    let assessment_kind = choices(
        AssessmentKind::ALL.iter().map(|kind| (kind.as_str(), i18n::assessment_kind(lang, *kind).to_owned())),
        assessment.kind.as_deref(),
        Some(t.form_choose),
    );
    let methods = assessment.methods.unwrap_or_default();
    let assessment_methods = AssessmentMethod::ALL
        .iter()
        .map(|method| {
            let chosen = methods.iter().any(|m| m == method.as_str());
            (method.as_str().to_owned(), i18n::assessment_method(lang, *method).to_owned(), chosen)
        })
        .collect();
    let qa = document.quality_assurance.clone().unwrap_or_default();
    let identity_verification = choices(
        IdentityVerification::ALL
            .iter()
            .map(|kind| (kind.as_str(), i18n::identity_verification(lang, *kind).to_owned())),
        document.identity_verification.as_deref(),
        Some(t.form_none),
    );
    let stackability_option = choices(
        StackabilityOption::ALL.iter().map(|option| (option.as_str(), i18n::stackability(lang, *option).to_owned())),
        document.stackability.as_ref().and_then(|s| s.option.as_deref()),
        Some(t.form_none),
    );
    let more_languages = choices(
        LANGUAGES
            .iter()
            .filter(|code| !tabs.iter().any(|tab| tab == *code))
            .map(|code| (*code, language_name(code, lang))),
        None,
        None,
    );
    // What was kept as a draft was accepted, problems and all.
    let refused = !state.problems.is_empty() && !state.draft;
    let status = if refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let id = document.id.clone().unwrap_or_default();
    let page = FormPage {
        chrome: visitor.chrome(if id.is_empty() { t.new_spec } else { t.edit }),
        lang,
        draft: state.draft,
        id,
        tab_name: language_name(&state.tab, lang),
        tabs: tabs.iter().map(|code| (code.clone(), language_name(code, lang), *code == state.tab)).collect(),
        tab: state.tab,
        more_languages,
        message: state.message,
        problems: state.problems,
        awarding_bodies: document.awarding_bodies.clone().unwrap_or_default().join(", "),
        languages,
        default_language,
        title: text("title"),
        description: text("description"),
        assessment_description: text("assessment_description"),
        qa_description: text("qa_description"),
        prerequisites: text("prerequisites"),
        grading_scheme: text("grading_scheme"),
        stackability_towards: text("stackability_towards"),
        further_information: text("further_information"),
        outcomes,
        ects: workload.ects.map(|ects| ects.to_string()).unwrap_or_default(),
        hours: workload.hours.map(|hours| hours.to_string()).unwrap_or_default(),
        eqf_level,
        qf_ehea_cycle,
        isced_f,
        participation,
        assessment_kind,
        assessment_methods,
        qa_internal: qa.internal,
        qa_external: qa.external,
        qa_body: qa.body.unwrap_or_default(),
        identity_verification,
        stackability_option,
        homepage: document.homepage.clone().unwrap_or_default(),
        labels: report.map(|report| labels(&report.labels, lang)).unwrap_or_default(),
        findings: report.map(|report| findings(report, lang)).unwrap_or_default(),
    };
    Ok((status, render(&page)).into_response())
}

/// The ISCED-F detailed fields as choices, grouped by broad field.
fn isced_choices(lang: Lang, chosen: Option<&str>) -> Vec<(String, Vec<Choice>)> {
    let mut groups: Vec<(String, Vec<Choice>)> =
        vec![(String::new(), vec![(String::new(), lang.texts().form_none.to_owned(), chosen.is_none())])];
    for broad in (0..=10).map(|n| format!("{n:02}")).chain(["99".to_owned()]) {
        let Some(name) = mc_core::isced_f_name_in(&broad, lang.code()) else { continue };
        let fields: Vec<Choice> = (0..100)
            .map(|n| format!("{broad}{n:02}"))
            .filter_map(|code| {
                let name = mc_core::isced_f_name_in(&code, lang.code())?;
                let selected = chosen == Some(code.as_str());
                Some((code, name.to_owned(), selected))
            })
            .collect();
        if !fields.is_empty() {
            groups.push((name.to_owned(), fields));
        }
    }
    // A broad or narrow field (two or three digits), as an import may give, stays chosen.
    if let Some(code) = chosen.filter(|code| code.len() < 4)
        && let Some(name) = mc_core::isced_f_name_in(code, lang.code())
    {
        groups[0].1.push((code.to_owned(), name.to_owned(), true));
    }
    groups
}

/// Checks that the visitor may write specifications, and gives their institution's access.
fn issuer<'a>(app: &'a App, visitor: &Visitor) -> Result<IssuerAccess<'a>, PageError> {
    visitor.member(app)?.issuer().map_err(|err| visitor.fail(err))
}

/// `GET /issuer/specs/new`: an empty form.
pub(crate) async fn new_form(State(app): State<App>, visitor: Visitor) -> Result<Response, PageError> {
    let issuer = issuer(&app, &visitor)?;
    let document = SpecDocument {
        awarding_bodies: Some(vec![issuer.institution_id().to_string()]),
        default_language: Some(visitor.lang.code().to_owned()),
        languages: Some(vec![visitor.lang.code().to_owned()]),
        learning_outcomes: Some(vec![LearningOutcomeDocument::default()]),
        quality_assurance: Some(QualityAssuranceDocument { internal: true, ..Default::default() }),
        ..SpecDocument::default()
    };
    let tabs = tabs_of(&document, visitor.lang, &[]);
    let state = FormState {
        document,
        tab: visitor.lang.code().to_owned(),
        tabs,
        find: None,
        message: None,
        problems: Vec::new(),
        draft: false,
    };
    form_page(&app, &visitor, state, None).await
}

/// `GET /issuer/specs/{id}/edit`: the form with the specification, or its unfinished draft.
pub(crate) async fn edit_form(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let issuer = issuer(&app, &visitor)?;
    let fail = |err| visitor.fail(err);
    let (document, draft) = match issuer.spec_draft(&id).await.map_err(fail)? {
        Some(draft) => (draft, true),
        None => {
            let (spec, _) = issuer.spec(&id).await.map_err(fail)?;
            if spec.issuer() != issuer.institution_id() {
                return Err(fail(AppError::Forbidden(format!("{id} is another institution's specification"))));
            }
            (SpecDocument::from(&spec), false)
        }
    };
    let report = app.check_spec(&document).await.map_err(fail)?;
    let tabs = tabs_of(&document, visitor.lang, &[]);
    let tab = if tabs.iter().any(|tab| tab == visitor.lang.code()) {
        visitor.lang.code().to_owned()
    } else {
        tabs[0].clone()
    };
    let state = FormState { document, tab, tabs, find: None, message: None, problems: Vec::new(), draft };
    form_page(&app, &visitor, state, Some(&report)).await
}

/// `POST /issuer/specs/form`: does what the button pressed asks (save, check, another tab, a
/// language, an outcome, a skill, discard the draft) and shows the form again, or the saved
/// specification.
pub(crate) async fn post(
    State(app): State<App>,
    visitor: Visitor,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    // A form of the most outcomes in the most languages has some thousands of fields.
    if pairs.len() > MAX_FIELDS {
        return Err(visitor.refuse(StatusCode::PAYLOAD_TOO_LARGE, "the form has too many fields"));
    }
    let posted = Posted(pairs);
    visitor.check_form(posted.one("csrf"))?;
    let issuer = issuer(&app, &visitor)?;
    let fail = |err| visitor.fail(err);
    let t = visitor.t();
    let action = Action::parse(posted.one("action"));
    let (mut document, not_numbers) = document_of(&posted);
    let mut tab = posted.one("tab").to_owned();
    let mut extra: Vec<String> = posted.all("tabs");
    let mut find = None;
    let outcomes = document.learning_outcomes.get_or_insert_with(Vec::new);
    let mut message = None;
    match &action {
        Action::Save | Action::Check => {}
        Action::DiscardDraft => {
            if let Some(id) = document.id.as_deref() {
                issuer.discard_spec_draft(id).await.map_err(fail)?;
            }
            return Ok(Redirect::to("/issuer").into_response());
        }
        Action::Tab(code) => tab = code.clone(),
        Action::AddLanguage => {
            let code = posted.one("new_language");
            if LANGUAGES.contains(&code) {
                extra.push(code.to_owned());
                tab = code.to_owned();
            }
        }
        Action::AddOutcome if outcomes.len() < MAX_OUTCOMES => outcomes.push(LearningOutcomeDocument::default()),
        Action::AddOutcome => {}
        Action::RemoveOutcome(n) if *n < outcomes.len() => {
            outcomes.remove(*n);
        }
        Action::RemoveOutcome(_) => {}
        Action::FindSkill(n) => {
            find = Some((*n, posted.one(&format!("outcome.{n}.find")).to_owned()));
        }
        Action::PickSkill(n, uri) => {
            // The skill is named by its URI, so new words in the search box cannot change it.
            let words = posted.one(&format!("outcome.{n}.find"));
            let found = find_skills(&app, words, visitor.lang).await.map_err(fail)?;
            let picked = found.into_iter().find(|(found, _, _)| found == uri);
            if let (Some(outcome), Some((uri, name, language))) = (outcomes.get_mut(*n), picked) {
                // Another skill's names go; the one chosen keeps those it has in other languages.
                let mut names = match outcome.skill.as_deref() == Some(uri.as_str()) {
                    true => outcome.skill_name.take().unwrap_or_default(),
                    false => LangMapDocument::new(),
                };
                outcome.skill = Some(uri);
                names.insert(language, name);
                outcome.skill_name = Some(names);
                message = Some(t.skill_chosen);
            }
        }
        Action::ClearSkill(n) => {
            if let Some(outcome) = outcomes.get_mut(*n) {
                outcome.skill = None;
                outcome.skill_name = None;
            }
        }
    }
    if document.learning_outcomes.as_ref().is_some_and(Vec::is_empty) {
        document.learning_outcomes = None;
    }
    let mut problems: Vec<Problem> = not_numbers
        .iter()
        .map(|name| (format!("{}: {}", i18n::field(visitor.lang, name), t.not_a_number), None))
        .collect();
    let report = app.check_spec(&document).await.map_err(fail)?;
    let tabs = tabs_of(&document, visitor.lang, &extra);
    if !tabs.contains(&tab) {
        tab = tabs[0].clone();
    }
    match action {
        Action::Save if problems.is_empty() => {
            let exists = match document.id.as_deref() {
                Some(id) => match issuer.spec(id).await {
                    Ok(_) => true,
                    Err(AppError::NotFound { .. } | AppError::InvalidArgument { .. }) => false,
                    Err(err) => return Err(fail(err)),
                },
                None => false,
            };
            let saved = match exists {
                true => issuer.update_spec(&document, app.now()).await.map(|(spec, _)| spec),
                false => issuer.add_spec(&document, app.now()).await.map(|(spec, _)| spec),
            };
            match saved {
                Ok(spec) => {
                    let done = super::Done::Saved.as_str();
                    return Ok(Redirect::to(&format!("/issuer/specs/{}?done={done}", spec.id())).into_response());
                }
                // It does not read as a specification yet: kept as a draft, to be finished.
                Err(AppError::Rejected(invalid)) => match issuer.save_spec_draft(&mut document, app.now()).await {
                    Ok(_) => {
                        message = Some(t.saved_as_draft);
                        let said =
                            invalid.problems().iter().map(|problem| i18n::document_problem(visitor.lang, problem));
                        problems.extend(said);
                    }
                    Err(err @ (AppError::Conflict(_) | AppError::Forbidden(_) | AppError::InvalidArgument { .. })) => {
                        message = Some(t.not_saved);
                        problems.push((err.to_string(), None));
                    }
                    Err(err) => return Err(fail(err)),
                },
                Err(err @ (AppError::Conflict(_) | AppError::Forbidden(_) | AppError::InvalidArgument { .. })) => {
                    problems.push((err.to_string(), None));
                    message = Some(t.not_saved);
                }
                Err(err) => return Err(fail(err)),
            }
        }
        Action::Save => message = Some(t.not_saved),
        Action::Check => message = Some(t.checked_only),
        _ => {}
    }
    let draft = match document.id.as_deref() {
        Some(id) => issuer.spec_draft(id).await.map_err(fail)?.is_some(),
        None => false,
    };
    let state = FormState { document, tab, tabs, find, message, problems, draft };
    form_page(&app, &visitor, state, Some(&report)).await
}

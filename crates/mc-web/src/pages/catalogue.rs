//! The catalogue's pages: the public search with its facets and each published
//! specification with its quality labels, and the issuer's specification pages: the editor
//! (which shows the quality report whenever a document is checked or saved), the report, and
//! publication.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use mc_app::{App, AppError, CatalogueSpec, ConsentState, Publication};
use mc_catalogue::{Facet, SearchResult};
use mc_core::{LangMap, Spec, quality::QualityReport, wire::SpecDocument};
use serde::Deserialize;

use super::{
    Chrome, Done, PageError, Visitor,
    i18n::Lang,
    render,
    views::{tag, workload},
};
use crate::search;

/// How many values of a facet the page lists.
const FACET_VALUES: usize = 10;

fn best(map: &LangMap, lang: Lang) -> String {
    map.best(&tag(lang)).to_owned()
}

/// The language of the text [`best`] picks, for its `lang` attribute.
fn language_of(map: &LangMap, lang: Lang) -> String {
    map.best_with_language(&tag(lang)).map(|(language, _)| language.to_string()).unwrap_or_default()
}

/// `/catalogue?…` with these parameters.
fn catalogue_href(pairs: &[(String, String)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    match query.finish() {
        query if query.is_empty() => "/catalogue".to_owned(),
        query => format!("/catalogue?{query}"),
    }
}

struct HitView {
    id: String,
    title: String,
    /// The language of the title shown (the reader's, or another when it has none in theirs).
    title_lang: String,
    /// The beginning of its description, and its language.
    snippet: String,
    snippet_lang: String,
    institutions: String,
    eqf: String,
    workload: String,
    languages: String,
    labels: Vec<LabelView>,
}

pub(crate) struct LabelView {
    /// The framework in a few words.
    pub(crate) short: &'static str,
    /// Its full name.
    pub(crate) name: &'static str,
    pub(crate) compliant: bool,
}

struct FacetView {
    name: &'static str,
    values: Vec<FacetValueView>,
}

struct FacetValueView {
    label: String,
    count: usize,
    href: String,
    active: bool,
}

struct ActiveFilter {
    label: String,
    href: String,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    /// The orders the results can be put in: name, words, whether chosen.
    sorts: Vec<(&'static str, &'static str, bool)>,
    /// What each quality label means.
    frameworks: Vec<(&'static str, &'static str)>,
    q: String,
    ects_min: String,
    ects_max: String,
    total: usize,
    hits: Vec<HitView>,
    facets: Vec<FacetView>,
    active: Vec<ActiveFilter>,
    kept: Vec<(String, String)>,
    previous: Option<String>,
    next: Option<String>,
    problem: Option<String>,
}

fn facet_name(lang: Lang, facet: Facet) -> &'static str {
    let t = lang.texts();
    match facet {
        Facet::Eqf => t.facet_eqf,
        Facet::Ects => t.facet_ects,
        Facet::Isced => t.facet_isced,
        Facet::Language => t.facet_language,
        Facet::Participation => t.facet_participation,
        Facet::Institution => t.facet_institution,
        Facet::Country => t.facet_country,
        Facet::Skill => t.facet_skill,
        Facet::Recognised => t.facet_recognised,
    }
}

/// The beginning of a description: up to about 200 characters, cut between words.
fn snippet(text: &str) -> String {
    const LENGTH: usize = 200;
    let text = text.trim();
    match text.char_indices().nth(LENGTH) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let end = text[..cut].rfind(char::is_whitespace).unwrap_or(cut);
            format!("{}…", text[..end].trim_end_matches([',', ';', ':', '.', ' ']))
        }
    }
}

/// A facet's value in words: a level with what it means, a field, a language or a country by
/// its name in `lang`, a form of participation; otherwise the catalogue's label (`stored`).
fn value_label(facet: Facet, value: &str, stored: &str, lang: Lang) -> String {
    let named = match facet {
        Facet::Eqf if value == mc_catalogue::NONE => Some(lang.texts().no_eqf_level),
        Facet::Eqf => return format!("{} {value}", lang.texts().eqf),
        Facet::Isced => mc_core::isced_f_name_in(value, lang.code()),
        Facet::Language => mc_core::language_name_in(value, lang.code()),
        Facet::Country => mc_core::country_name_in(value, lang.code()),
        Facet::Participation => Some(super::i18n::participation(lang, value)).filter(|name| !name.is_empty()),
        _ => None,
    };
    named.unwrap_or(stored).to_owned()
}

/// Language codes as names in `lang`, joined with commas.
fn language_names(codes: &[impl AsRef<str>], lang: Lang) -> String {
    let name = |code: &str| mc_core::language_name_in(code, lang.code()).unwrap_or(code).to_owned();
    codes.iter().map(|code| name(code.as_ref())).collect::<Vec<_>>().join(", ")
}

pub(crate) fn labels(labels: &[mc_core::quality::Label], lang: Lang) -> Vec<LabelView> {
    labels
        .iter()
        .map(|label| LabelView {
            short: super::i18n::framework_short(lang, label.framework),
            name: super::i18n::framework_name(lang, label.framework),
            compliant: label.compliant,
        })
        .collect()
}

/// `GET /catalogue`: the search form, the results and the facets.
pub(crate) async fn catalogue(
    State(app): State<App>,
    visitor: Visitor,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let t = visitor.t();
    // The page's own links never carry the language: the cookie remembers it.
    let pairs: Vec<(String, String)> =
        pairs.into_iter().filter(|(name, value)| name != "lang" && !value.trim().is_empty()).collect();
    let (query, problem) = match search::parse(&pairs, &[]) {
        Ok(query) => (query, None),
        Err(bad) => (
            mc_catalogue::Query { limit: search::DEFAULT_LIMIT, ..Default::default() },
            Some(format!("{}: {}", bad.name, bad.message)),
        ),
    };
    let pairs: Vec<(String, String)> = if problem.is_some() { Vec::new() } else { pairs };
    let query = mc_catalogue::Query { language: Some(tag(lang)), ..query };
    let result: SearchResult = app.search_catalogue(&query).await.map_err(|err| visitor.fail(err))?;
    let without = |name: &str, value: &str| -> Vec<(String, String)> {
        pairs.iter().filter(|(n, v)| !(n == name && v == value) && n != "offset").cloned().collect()
    };
    let ids: Vec<mc_core::SpecId> = result.hits.iter().map(|hit| hit.summary.id).collect();
    let descriptions = app.published_descriptions(&ids).await.map_err(|err| visitor.fail(err))?;
    let hits = result
        .hits
        .iter()
        .zip(descriptions)
        .map(|(hit, description)| {
            let summary = &hit.summary;
            HitView {
                id: summary.id.to_string(),
                title: best(&summary.title, lang),
                title_lang: language_of(&summary.title, lang),
                snippet: description.as_ref().map(|text| snippet(&best(text, lang))).unwrap_or_default(),
                snippet_lang: description.as_ref().map(|text| language_of(text, lang)).unwrap_or_default(),
                institutions: summary.institutions.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(", "),
                eqf: summary.eqf_level.map(|level| level.to_string()).unwrap_or_else(|| "–".into()),
                workload: workload(summary.ects, summary.hours, lang),
                languages: language_names(&summary.languages, lang),
                labels: labels(&summary.labels, lang),
            }
        })
        .collect();
    let facets = Facet::ALL
        .into_iter()
        .filter(|facet| *facet != Facet::Ects)
        .map(|facet| {
            let name = facet.as_str();
            let mut counts: Vec<&mc_catalogue::FacetCount> = result.facets[&facet].iter().take(FACET_VALUES).collect();
            if facet == Facet::Eqf {
                // Levels in order, the specifications without one last.
                counts.sort_by_key(|count| count.value.parse::<u8>().unwrap_or(u8::MAX));
            }
            let values = counts
                .into_iter()
                .map(|count| {
                    let active = pairs.iter().any(|(n, v)| n == name && *v == count.value);
                    let mut target = without(name, &count.value);
                    if !active {
                        target.push((name.to_owned(), count.value.clone()));
                    }
                    // Under the heading "EQF level", a level is its number.
                    let label = match facet {
                        Facet::Eqf if count.value != mc_catalogue::NONE => count.value.clone(),
                        _ => value_label(facet, &count.value, &count.label, lang),
                    };
                    FacetValueView { label, count: count.count, href: catalogue_href(&target), active }
                })
                .collect();
            FacetView { name: facet_name(lang, facet), values }
        })
        .filter(|facet| !facet.values.is_empty())
        .collect();
    let active = pairs
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "q" | "offset" | "limit" | "sort"))
        .map(|(name, value)| {
            let facet = Facet::ALL.into_iter().find(|facet| facet.as_str() == name);
            let label = match facet {
                Some(facet) => {
                    // The catalogue's own label of the value (an institution's name), if it counts it.
                    let known = result.facets.get(&facet).and_then(|counts| counts.iter().find(|c| c.value == *value));
                    value_label(facet, value, known.map_or(value.as_str(), |count| &count.label), lang)
                }
                None if name == "ects_min" => format!("{} {value}", t.ects_from_chip),
                None if name == "ects_max" => format!("{} {value}", t.ects_to_chip),
                None => format!("{name}: {value}"),
            };
            ActiveFilter { label, href: catalogue_href(&without(name, value)) }
        })
        .collect();
    // The filters chosen, kept by the search form when its words change.
    let kept = pairs
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "q" | "offset" | "limit" | "ects_min" | "ects_max" | "sort"))
        .cloned()
        .collect();
    let page = |offset: usize| {
        let mut target: Vec<(String, String)> = pairs.iter().filter(|(n, _)| n != "offset").cloned().collect();
        if offset > 0 {
            target.push(("offset".into(), offset.to_string()));
        }
        catalogue_href(&target)
    };
    let previous = (query.offset > 0).then(|| page(query.offset.saturating_sub(query.limit)));
    let next = (query.offset + query.limit < result.total && query.limit > 0).then(|| page(query.offset + query.limit));
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let sorts = mc_catalogue::Sort::ALL
        .into_iter()
        .map(|sort| (sort.as_str(), super::i18n::sort(lang, sort), sort == query.sort))
        .collect();
    let frameworks = mc_core::quality::Framework::ALL
        .iter()
        .map(|&framework| {
            (super::i18n::framework_short(lang, framework), super::i18n::framework_explanation(lang, framework))
        })
        .collect();
    let page = CataloguePage {
        sorts,
        frameworks,
        chrome: visitor.chrome(t.catalogue_title),
        q: query.text.clone(),
        ects_min: query.ects_min.map(|n| n.to_string()).unwrap_or_default(),
        ects_max: query.ects_max.map(|n| n.to_string()).unwrap_or_default(),
        total: result.total,
        hits,
        facets,
        active,
        kept,
        previous,
        next,
        problem,
    };
    Ok((status, render(&page)).into_response())
}

/// A learning outcome, with the skill it teaches.
struct OutcomeView {
    text: String,
    /// The skill's URI.
    skill: Option<String>,
    skill_name: Option<String>,
}

/// A specification, as its page shows it.
struct SpecView {
    id: String,
    title: String,
    description: String,
    institutions: Vec<(String, String)>,
    facts: Vec<(&'static str, String)>,
    /// The course's own page, where one enrols.
    homepage: Option<String>,
    outcomes: Vec<OutcomeView>,
}

impl SpecView {
    fn new(spec: &Spec, institutions: Vec<(String, String)>, lang: Lang) -> SpecView {
        let t = lang.texts();
        let text = |map: Option<&LangMap>| map.map(|map| best(map, lang));
        let mut facts: Vec<(&'static str, String)> = Vec::new();
        let mut fact = |name: &'static str, value: Option<String>| {
            if let Some(value) = value.filter(|value| !value.is_empty()) {
                facts.push((name, value));
            }
        };
        let level = spec.eqf_level().map(|level| match spec.qf_ehea_cycle() {
            Some(cycle) => format!("{level} · {}", super::i18n::qf_ehea_cycle(lang, cycle)),
            None => level.to_string(),
        });
        fact(t.eqf, level);
        fact(t.workload, Some(workload(spec.workload().ects(), spec.workload().hours(), lang)));
        fact(
            t.field,
            spec.isced_f().and_then(|code| mc_core::isced_f_name_in(code.as_str(), lang.code())).map(str::to_owned),
        );
        let languages: Vec<&str> = spec.languages().iter().map(|language| language.as_str()).collect();
        fact(t.languages, Some(language_names(&languages, lang)));
        fact(t.participation, Some(super::i18n::participation(lang, spec.participation().as_str()).to_owned()));
        let assessment = spec.assessment();
        let methods: Vec<&str> =
            assessment.methods().iter().map(|method| super::i18n::assessment_method(lang, *method)).collect();
        let kind = super::i18n::assessment_kind(lang, assessment.kind());
        let mut assessed = format!("{kind} ({})", methods.join(", "));
        if let Some(description) = text(assessment.description()) {
            assessed = format!("{assessed}. {description}");
        }
        fact(t.assessment, Some(assessed));
        let qa = spec.quality_assurance();
        let mut kinds = Vec::new();
        if qa.internal() {
            kinds.push(t.qa_internal.to_owned());
        }
        if qa.external() {
            kinds.push(match qa.body() {
                Some(body) => format!("{} ({body})", t.qa_external),
                None => t.qa_external.to_owned(),
            });
        }
        let mut assurance = kinds.join(", ");
        if let Some(description) = text(qa.description()) {
            assurance = format!("{assurance}. {description}");
        }
        fact(t.quality_assurance, Some(assurance));
        fact(t.prerequisites, text(spec.prerequisites()));
        fact(
            t.identity_verification,
            spec.identity_verification().map(|kind| super::i18n::identity_verification(lang, kind).to_owned()),
        );
        fact(t.grading_scheme, text(spec.grading_scheme()));
        fact(
            t.stackability,
            spec.stackability().map(|s| {
                let option = super::i18n::stackability(lang, s.option());
                match text(s.towards()) {
                    Some(towards) => format!("{option}: {towards}"),
                    None => option.to_owned(),
                }
            }),
        );
        fact(t.further_information, text(spec.further_information()));
        SpecView {
            homepage: spec.homepage().map(|url| url.as_str().to_owned()),
            id: spec.id().to_string(),
            title: best(spec.title(), lang),
            description: text(spec.description()).unwrap_or_default(),
            institutions,
            facts,
            outcomes: spec
                .learning_outcomes()
                .iter()
                .map(|outcome| OutcomeView {
                    text: best(outcome.text(), lang),
                    skill: outcome.skill().map(|skill| skill.as_str().to_owned()),
                    skill_name: outcome.skill_name().map(|name| best(name, lang)),
                })
                .collect(),
        }
    }
}

/// A finding of the quality check, for the staff who mend it, in the page's language.
pub(crate) struct FindingView {
    /// `error`, `warning` or `info`, for its style.
    pub(crate) severity: &'static str,
    /// The severity in words.
    pub(crate) severity_name: &'static str,
    pub(crate) rule: String,
    /// Where, in words: "Learning outcome 3, skill".
    pub(crate) field: String,
    pub(crate) message: String,
    /// The English message of a value the document format refuses, where the page's language
    /// has only a general sentence.
    pub(crate) detail_en: Option<String>,
    pub(crate) fix: String,
}

pub(crate) fn findings(report: &QualityReport, lang: Lang) -> Vec<FindingView> {
    report
        .findings
        .iter()
        .map(|finding| {
            // A finding without a Spanish message is a value the document format refuses: a
            // missing one is said in words, another with its English detail.
            let refused = finding.message_es.is_none();
            let missing = refused && mc_core::says_missing(&finding.message);
            let t = lang.texts();
            let (message, detail_en, fix) = match (lang, missing, &finding.message_es, &finding.fix_es) {
                (_, true, _, _) => (t.value_missing.to_owned(), None, t.fill_it_in.to_owned()),
                (Lang::En, false, _, _) => (finding.message.clone(), None, finding.fix.clone()),
                (Lang::Es, false, Some(message), fix) => (message.clone(), None, fix.clone().unwrap_or_default()),
                (Lang::Es, false, None, fix) => {
                    (t.value_refused.to_owned(), Some(finding.message.clone()), fix.clone().unwrap_or_default())
                }
            };
            FindingView {
                severity: finding.severity.as_str(),
                severity_name: super::i18n::severity(lang, finding.severity),
                rule: finding.rule.clone(),
                field: super::i18n::field(lang, &finding.field),
                message,
                detail_en,
                fix,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "catalogue_spec.html")]
struct SpecPage {
    chrome: Chrome,
    spec: SpecView,
    labels: Vec<LabelView>,
    findings: Vec<FindingView>,
    /// Where its credentials are recognised, in words, with the agreement's id.
    recognitions: Vec<(String, String)>,
}

/// `GET /catalogue/{id}`: a published specification with its quality labels.
pub(crate) async fn spec_page(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let entry: CatalogueSpec = app.catalogue_spec(&id).await.map_err(|err| visitor.fail(err))?;
    let institutions = entry
        .institutions
        .iter()
        .map(|institution| {
            let name = best(institution.name(), lang);
            let accreditation = entry
                .accreditations
                .iter()
                .find(|a| &a.institution == institution.id())
                .map(|a| {
                    let status = super::i18n::accreditation_status(lang, a.status);
                    let until = a.valid_until.as_deref().map(|until| super::i18n::date(lang, until));
                    let period = super::i18n::period(lang, &super::i18n::date(lang, &a.valid_from), until.as_deref());
                    let mut text = format!("{} · {status} · {period}", a.qa_body);
                    if let Some(register) = &a.register_id {
                        text = format!("{text} · {} {register}", visitor.t().register_id);
                    }
                    text
                })
                .unwrap_or_default();
            let country = institution.country().code();
            let country = mc_core::country_name_in(country, lang.code()).unwrap_or(country);
            (format!("{name} ({country})"), accreditation)
        })
        .collect();
    let mut recognitions = Vec::new();
    for found in &entry.recognitions {
        let institution = app.institution(found.recognised_by.as_str()).await.map_err(|err| visitor.fail(err))?;
        let said = super::i18n::recognition(lang, found, &best(institution.name(), lang));
        recognitions.push((said, found.agreement.clone()));
    }
    let page = SpecPage {
        chrome: visitor.chrome(&best(entry.spec.title(), lang)),
        spec: SpecView::new(&entry.spec, institutions, lang),
        labels: labels(&entry.report.labels, lang),
        // The public page shows the labels; what to mend is for the issuer's staff.
        findings: Vec::new(),
        recognitions,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "spec_admin.html")]
struct SpecAdminPage {
    chrome: Chrome,
    spec: SpecView,
    published: bool,
    has_errors: bool,
    /// The institution issues it, and may edit and publish it.
    own: bool,
    /// The other awarding bodies, each with its answer.
    consents: Vec<(String, &'static str)>,
    labels: Vec<LabelView>,
    findings: Vec<FindingView>,
    problems: Vec<String>,
    /// The frameworks it does not meet, when publishing waits for a confirmation.
    unmet: Vec<&'static str>,
}

/// The issuer's page of one of its specifications: state, report and publication buttons.
async fn admin_page(
    app: &App,
    visitor: &Visitor,
    id: &str,
    problems: Vec<String>,
    unmet: Vec<&'static str>,
) -> Result<Response, PageError> {
    let member = visitor.member(app)?;
    let (spec, publication) = member.spec(id).await.map_err(|err| visitor.fail(err))?;
    // Another awarding body sees the draft it is asked to award, without the issuer's buttons.
    let own = spec.issuer() == member.institution_id();
    if !own && !spec.awarding_bodies().contains(member.institution_id()) {
        return Err(visitor.fail(AppError::Forbidden(format!("{id} is another institution's specification"))));
    }
    let report = app.check_spec(&SpecDocument::from(&spec)).await.map_err(|err| visitor.fail(err))?;
    let answers = member.consents_of(id).await.map_err(|err| visitor.fail(err))?;
    let consents = spec
        .awarding_bodies()
        .iter()
        .filter(|body| *body != spec.issuer())
        .map(|body| {
            let state =
                answers.iter().find(|answer| &answer.institution == body).map_or(ConsentState::Pending, |a| a.state);
            (body.to_string(), super::i18n::consent(visitor.lang, state))
        })
        .collect();
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SpecAdminPage {
        chrome: visitor.chrome(&best(spec.title(), visitor.lang)),
        spec: SpecView::new(&spec, Vec::new(), visitor.lang),
        published: publication != Publication::Draft,
        has_errors: report.has_errors(),
        own,
        consents,
        labels: labels(&report.labels, visitor.lang),
        findings: findings(&report, visitor.lang),
        problems,
        unmet,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /issuer/specs/{id}`.
pub(crate) async fn admin(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    admin_page(&app, &visitor, &id, Vec::new(), Vec::new()).await
}

#[derive(Deserialize)]
pub(crate) struct PublicationForm {
    #[serde(default)]
    csrf: String,
    /// `yes` once the registrar confirmed publishing what does not meet every framework.
    #[serde(default)]
    confirm: String,
}

/// `POST /issuer/specs/{id}/publish` and `/withdraw`. Publishing what does not meet every
/// framework asks for a confirmation first.
pub(crate) async fn change_publication(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<PublicationForm>,
) -> Result<Response, PageError> {
    visitor.check_form(&form.csrf)?;
    let issuer = visitor.member(&app)?.issuer().map_err(|err| visitor.fail(err))?;
    if action == "publish" && form.confirm != "yes" {
        let (spec, _) = issuer.spec(&id).await.map_err(|err| visitor.fail(err))?;
        let report = app.check_spec(&SpecDocument::from(&spec)).await.map_err(|err| visitor.fail(err))?;
        let unmet: Vec<&'static str> = report
            .labels
            .iter()
            .filter(|label| !label.compliant)
            .map(|label| super::i18n::framework_name(visitor.lang, label.framework))
            .collect();
        if !unmet.is_empty() && !report.has_errors() {
            return admin_page(&app, &visitor, &id, Vec::new(), unmet).await;
        }
    }
    let (result, done) = match action.as_str() {
        "publish" => (issuer.publish_spec(&id, app.now()).await.map(|_| ()), Done::Published),
        "withdraw" => (issuer.withdraw_spec(&id).await, Done::Withdrawn),
        _ => return Err(visitor.refuse(StatusCode::NOT_FOUND, "no such action")),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/issuer/specs/{id}?done={}", done.as_str())).into_response()),
        Err(AppError::Rejected(invalid)) => {
            let mut problems = vec![visitor.t().publish_refused.to_owned()];
            problems.extend(invalid.problems().iter().map(ToString::to_string));
            admin_page(&app, &visitor, &id, problems, Vec::new()).await
        }
        Err(AppError::Conflict(message)) => {
            let problems = vec![visitor.t().consent_needed.to_owned(), message];
            admin_page(&app, &visitor, &id, problems, Vec::new()).await
        }
        Err(err) => Err(visitor.fail(err)),
    }
}

#[derive(Template)]
#[template(path = "spec_editor.html")]
struct EditorPage {
    chrome: Chrome,
    id: String,
    document: String,
    message: Option<&'static str>,
    problems: Vec<String>,
    labels: Vec<LabelView>,
    findings: Vec<FindingView>,
}

/// A new specification's starting document.
const NEW_DOCUMENT: &str = r#"awarding_bodies = ["INSTITUTION"]
languages = ["en"]
title = { en = "" }
description = { en = "" }
learning_outcomes = [{ text = { en = "" }, skill = "http://data.europa.eu/esco/skill/" }]
workload = { ects = 5, hours = 125 }
eqf_level = 6
assessment = { kind = "summative", methods = ["written-exam"] }
participation = "online"
quality_assurance = { internal = true }
"#;

/// `GET /issuer/specs/new`.
pub(crate) async fn new_form(State(app): State<App>, visitor: Visitor) -> Result<Response, PageError> {
    let member = visitor.member(&app)?;
    let document = NEW_DOCUMENT.replace("INSTITUTION", member.institution_id().as_str());
    Ok(editor(&visitor, String::new(), document, None, Vec::new(), None))
}

/// `GET /issuer/specs/{id}/edit`: the stored document, as JSON.
pub(crate) async fn edit_form(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let member = visitor.member(&app)?;
    let (spec, _) = member.spec(&id).await.map_err(|err| visitor.fail(err))?;
    if spec.issuer() != member.institution_id() {
        return Err(visitor.fail(AppError::Forbidden(format!("{id} is another institution's specification"))));
    }
    let document = serde_json::to_string_pretty(&SpecDocument::from(&spec)).expect("documents serialise");
    let report = app.check_spec(&SpecDocument::from(&spec)).await.map_err(|err| visitor.fail(err))?;
    Ok(editor(&visitor, id, document, None, Vec::new(), Some(&report)))
}

fn editor(
    visitor: &Visitor,
    id: String,
    document: String,
    message: Option<&'static str>,
    problems: Vec<String>,
    report: Option<&QualityReport>,
) -> Response {
    let t = visitor.t();
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = EditorPage {
        chrome: visitor.chrome(if id.is_empty() { t.new_spec } else { t.edit }),
        id,
        document,
        message,
        problems,
        labels: report.map(|report| labels(&report.labels, visitor.lang)).unwrap_or_default(),
        findings: report.map(|report| findings(report, visitor.lang)).unwrap_or_default(),
    };
    (status, render(&page)).into_response()
}

#[derive(Deserialize)]
pub(crate) struct EditorForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    action: String,
}

/// `POST /issuer/specs`: checks the document, or saves it (a new specification, or a new
/// version of the one named by `id`) and shows its page. What cannot be saved is shown again
/// with its problems and the report, and nothing is stored.
pub(crate) async fn save(
    State(app): State<App>,
    visitor: Visitor,
    Form(form): Form<EditorForm>,
) -> Result<Response, PageError> {
    visitor.check_form(&form.csrf)?;
    let member = visitor.member(&app)?;
    let t = visitor.t();
    let parsed: Result<SpecDocument, AppError> =
        mc_app::parse_document(&form.document, mc_app::Format::sniff(&form.document));
    let mut document = match parsed {
        Ok(document) => document,
        Err(err) => {
            return Ok(editor(&visitor, form.id, form.document, Some(t.not_saved), vec![err.to_string()], None));
        }
    };
    if !form.id.is_empty() {
        document.id = Some(form.id.clone());
    }
    let report = app.check_spec(&document).await.map_err(|err| visitor.fail(err))?;
    if form.action == "check" {
        return Ok(editor(&visitor, form.id, form.document, Some(t.checked_only), Vec::new(), Some(&report)));
    }
    let issuer = member.issuer().map_err(|err| visitor.fail(err))?;
    let saved = match form.id.is_empty() {
        true => issuer.add_spec(&document, app.now()).await.map(|(spec, _)| spec),
        false => issuer.update_spec(&document, app.now()).await.map(|(spec, _)| spec),
    };
    match saved {
        Ok(spec) => Ok(Redirect::to(&format!("/issuer/specs/{}", spec.id())).into_response()),
        Err(err @ (AppError::Rejected(_) | AppError::Conflict(_) | AppError::Parse { .. })) => {
            let problems = match &err {
                AppError::Rejected(invalid) => invalid.problems().iter().map(ToString::to_string).collect(),
                other => vec![other.to_string()],
            };
            Ok(editor(&visitor, form.id, form.document, Some(t.not_saved), problems, Some(&report)))
        }
        Err(err) => Err(visitor.fail(err)),
    }
}

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
    Chrome, PageError, Visitor,
    i18n::Lang,
    issuer::CsrfForm,
    render,
    views::{tag, workload},
};
use crate::search;

/// How many values of a facet the page lists.
const FACET_VALUES: usize = 10;

fn best(map: &LangMap, lang: Lang) -> String {
    map.best(&tag(lang)).to_owned()
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
    institutions: String,
    eqf: String,
    workload: String,
    languages: String,
    labels: Vec<LabelView>,
}

struct LabelView {
    short: &'static str,
    name: &'static str,
    compliant: bool,
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
    q: String,
    ects_min: String,
    ects_max: String,
    total: usize,
    hits: Vec<HitView>,
    facets: Vec<FacetView>,
    active: Vec<ActiveFilter>,
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

fn labels(labels: &[mc_core::quality::Label], lang: Lang) -> Vec<LabelView> {
    labels
        .iter()
        .map(|label| LabelView {
            short: label.framework.as_str(),
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
    let result: SearchResult = app.search_catalogue(&query).await.map_err(|err| visitor.fail(err))?;
    let without = |name: &str, value: &str| -> Vec<(String, String)> {
        pairs.iter().filter(|(n, v)| !(n == name && v == value) && n != "offset").cloned().collect()
    };
    let hits = result
        .hits
        .iter()
        .map(|hit| {
            let summary = &hit.summary;
            HitView {
                id: summary.id.to_string(),
                title: best(&summary.title, lang),
                institutions: summary.institutions.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(", "),
                eqf: summary.eqf_level.map(|level| level.to_string()).unwrap_or_else(|| "–".into()),
                workload: workload(summary.ects, summary.hours, lang),
                languages: summary.languages.join(", "),
                labels: labels(&summary.labels, lang),
            }
        })
        .collect();
    let facets = Facet::ALL
        .into_iter()
        .filter(|facet| *facet != Facet::Ects)
        .map(|facet| {
            let name = facet.as_str();
            let values = result.facets[&facet]
                .iter()
                .take(FACET_VALUES)
                .map(|count| {
                    let active = pairs.iter().any(|(n, v)| n == name && *v == count.value);
                    let mut target = without(name, &count.value);
                    if !active {
                        target.push((name.to_owned(), count.value.clone()));
                    }
                    let label = match facet {
                        Facet::Language => mc_core::language_name(&count.value).unwrap_or(&count.value).to_owned(),
                        Facet::Participation => super::i18n::participation(lang, &count.value).to_owned(),
                        _ => count.label.clone(),
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
        .filter(|(name, _)| !matches!(name.as_str(), "q" | "offset" | "limit"))
        .map(|(name, value)| ActiveFilter {
            label: format!("{name}: {value}"),
            href: catalogue_href(&without(name, value)),
        })
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
    let page = CataloguePage {
        chrome: visitor.chrome(t.catalogue_title),
        q: query.text.clone(),
        ects_min: query.ects_min.map(|n| n.to_string()).unwrap_or_default(),
        ects_max: query.ects_max.map(|n| n.to_string()).unwrap_or_default(),
        total: result.total,
        hits,
        facets,
        active,
        previous,
        next,
        problem,
    };
    Ok((status, render(&page)).into_response())
}

/// A specification, as its page shows it.
struct SpecView {
    id: String,
    title: String,
    description: String,
    institutions: Vec<(String, String)>,
    facts: Vec<(&'static str, String)>,
    outcomes: Vec<(String, Option<String>)>,
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
            Some(cycle) => format!("{level} (QF-EHEA: {cycle})"),
            None => level.to_string(),
        });
        fact(t.eqf, level);
        fact(t.workload, Some(workload(spec.workload().ects(), spec.workload().hours(), lang)));
        fact(t.field, spec.isced_f().map(|code| format!("{} ({code})", code.name())));
        fact(
            t.languages,
            Some(
                spec.languages()
                    .iter()
                    .map(|l| mc_core::language_name(l.as_str()).unwrap_or(l.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        );
        fact(t.participation, Some(super::i18n::participation(lang, spec.participation().as_str()).to_owned()));
        let assessment = spec.assessment();
        let methods: Vec<&str> = assessment.methods().iter().map(|method| method.as_str()).collect();
        let mut assessed = format!("{} ({})", assessment.kind(), methods.join(", "));
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
        fact(t.identity_verification, spec.identity_verification().map(|v| v.as_str().to_owned()));
        fact(t.grading_scheme, text(spec.grading_scheme()));
        fact(
            t.stackability,
            spec.stackability().map(|s| match text(s.towards()) {
                Some(towards) => format!("{}: {towards}", s.option()),
                None => s.option().to_string(),
            }),
        );
        fact(t.further_information, text(spec.further_information()));
        fact(t.homepage, spec.homepage().map(|url| url.as_str().to_owned()));
        SpecView {
            id: spec.id().to_string(),
            title: best(spec.title(), lang),
            description: text(spec.description()).unwrap_or_default(),
            institutions,
            facts,
            outcomes: spec
                .learning_outcomes()
                .iter()
                .map(|outcome| (best(outcome.text(), lang), outcome.skill().map(|skill| skill.as_str().to_owned())))
                .collect(),
        }
    }
}

struct FindingView {
    severity: &'static str,
    rule: String,
    field: String,
    message: String,
    fix: String,
}

fn findings(report: &QualityReport) -> Vec<FindingView> {
    report
        .findings
        .iter()
        .map(|finding| FindingView {
            severity: finding.severity.as_str(),
            rule: finding.rule.clone(),
            field: finding.field.clone(),
            message: finding.message.clone(),
            fix: finding.fix.clone(),
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
                    let mut text = format!("{} · {status} · {}", a.qa_body, a.valid_from);
                    if let Some(until) = &a.valid_until {
                        text = format!("{text}–{until}");
                    }
                    if let Some(register) = &a.register_id {
                        text = format!("{text} · {} {register}", visitor.t().register_id);
                    }
                    text
                })
                .unwrap_or_default();
            (format!("{name} ({})", institution.country().code()), accreditation)
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
        findings: findings(&entry.report),
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
}

/// The issuer's page of one of its specifications: state, report and publication buttons.
async fn admin_page(app: &App, visitor: &Visitor, id: &str, problems: Vec<String>) -> Result<Response, PageError> {
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
        findings: findings(&report),
        problems,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /issuer/specs/{id}`.
pub(crate) async fn admin(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    admin_page(&app, &visitor, &id, Vec::new()).await
}

/// `POST /issuer/specs/{id}/publish` and `/withdraw`.
pub(crate) async fn change_publication(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    visitor.check_form(&form.csrf)?;
    let issuer = visitor.member(&app)?.issuer().map_err(|err| visitor.fail(err))?;
    let done = match action.as_str() {
        "publish" => issuer.publish_spec(&id, app.now()).await.map(|_| ()),
        "withdraw" => issuer.withdraw_spec(&id).await,
        _ => return Err(visitor.error(StatusCode::NOT_FOUND, "no such action")),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/issuer/specs/{id}")).into_response()),
        Err(AppError::Rejected(invalid)) => {
            let mut problems = vec![visitor.t().publish_refused.to_owned()];
            problems.extend(invalid.problems().iter().map(ToString::to_string));
            admin_page(&app, &visitor, &id, problems).await
        }
        Err(AppError::Conflict(message)) => {
            admin_page(&app, &visitor, &id, vec![visitor.t().consent_needed.to_owned(), message]).await
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
        findings: report.map(findings).unwrap_or_default(),
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

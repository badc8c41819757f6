//! The micro-credential supplement: one printable A4 document (HTML) of an issued credential,
//! read from the signed credential itself, in the reader's language: who issued it to whom,
//! every Council Recommendation element it carries in plain words, the grade, the date and
//! status, a QR code that opens its verification page, and the signed credential inside it,
//! so that the file alone can be verified (`microcred verify`, the API and `/verify` take it).

use askama::Template;
use mc_app::{App, AppError, IssuedCredential};
use serde_json::{Map, Value};

use super::{i18n, views};

/// One labelled element of the supplement.
struct Element {
    label: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "supplement.html")]
struct SupplementPage {
    t: &'static i18n::Texts,
    lang: &'static str,
    title: String,
    description: String,
    learner: String,
    issuer: String,
    issued: String,
    state: &'static str,
    elements: Vec<Element>,
    outcomes: Vec<String>,
    /// The verification page's address and its QR code (SVG), when the credential has one.
    link: Option<(String, String)>,
    credential: String,
}

/// The supplement of `credential` in `language` (`en` or `es`), as an HTML document, with a QR
/// code of `link` (the address of its verification page) when given.
pub async fn supplement(
    app: &App,
    credential: &IssuedCredential,
    language: &str,
    link: Option<String>,
) -> Result<String, AppError> {
    let lang = i18n::Lang::from_tag(language).unwrap_or(i18n::Lang::En);
    let t = lang.texts();
    let view = views::CredentialView::load(app, credential, lang).await?;
    let empty = Map::new();
    let badge = credential.open_badge().unwrap_or(&empty);
    let achievement = badge.get("credentialSubject").map_or(&Value::Null, |subject| &subject["achievement"]);
    let text = |key: &str| achievement[key].as_str().map(str::to_owned);
    let mut elements = Vec::new();
    let mut add = |label: &'static str, value: Option<String>| {
        if let Some(value) = value.filter(|value| !value.trim().is_empty()) {
            elements.push(Element { label, value });
        }
    };
    let workload = views::workload(view.ects.parse().ok(), view.hours.parse().ok(), lang);
    add(t.workload, Some(workload));
    add(t.eqf, (!view.eqf.is_empty()).then(|| i18n::eqf_level(lang, &view.eqf)));
    add(t.field_label, text("fieldOfStudy"));
    add(
        t.assessment_label,
        text("assessmentKind")
            .and_then(|kind| mc_core::AssessmentKind::parse(&kind).ok())
            .map(|kind| i18n::assessment_kind(lang, kind).to_owned()),
    );
    add(t.assessment_description, text("assessmentDescription"));
    add(t.mode_label, text("mode"));
    let qa: Vec<&str> =
        achievement["qualityAssurance"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    add(
        t.qa_label,
        (!qa.is_empty()).then(|| {
            qa.join(", ") + &text("qualityAssuranceBody").map(|body| format!(" ({body})")).unwrap_or_default()
        }),
    );
    add(t.prerequisites_label, text("entryRequirement"));
    add(t.identity_label, text("identityVerification"));
    add(t.grading_label, text("gradingScheme"));
    let grade =
        badge.get("credentialSubject").and_then(|subject| subject["result"][0]["value"].as_str()).map(str::to_owned);
    add(t.grade_label, grade);
    add(
        t.stackability_label,
        text("stackability").map(|option| match text("stackableTowards") {
            Some(towards) => format!("{option}: {towards}"),
            None => option,
        }),
    );
    add(t.credential_format, Some(view.format.to_owned()));
    add(t.credential_id_label, Some(credential.id().to_owned()));
    let link = match link {
        Some(url) => {
            let code =
                qrcode::QrCode::new(url.as_bytes()).map_err(|err| AppError::Conflict(format!("no QR code: {err}")))?;
            let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(160, 160).build();
            Some((url, svg))
        }
        None => None,
    };
    let document = credential.open_badge().or(credential.sealed_edc()).unwrap_or(credential.document());
    let json = serde_json::to_string(document).expect("a JSON map serializes");
    let page = SupplementPage {
        t,
        lang: lang.code(),
        title: view.title.clone(),
        description: view.description.clone(),
        learner: view.learner.clone(),
        issuer: view.issuer.clone(),
        issued: view.issued.clone(),
        state: view.state,
        elements,
        outcomes: view.outcomes.clone(),
        link,
        credential: mc_vc::bake::supplement_script(&json),
    };
    Ok(page.render().expect("the supplement template renders"))
}

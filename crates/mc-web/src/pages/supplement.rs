//! The micro-credential supplement: one printable A4 document, as HTML or as a PDF/A-3, of an
//! issued credential, read from the signed credential itself, in the reader's language: who
//! issued it to whom, every Council Recommendation element it carries in plain words, the
//! grade, the date and status, a QR code that opens its verification page, and the signed
//! credential inside it (a script element of the HTML, the PDF's attached file), so that the
//! file alone can be verified (`microcred verify`, the API and `/verify` take it).

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
struct SupplementPage<'a> {
    s: &'a Supplement,
    t: &'static i18n::Texts,
    lang: &'static str,
    /// The verification page's address and its QR code (SVG), when the credential has one.
    link: Option<(&'a str, String)>,
    credential: String,
}

/// A credential's supplement, ready to be written as HTML or PDF.
pub struct Supplement {
    lang: i18n::Lang,
    id: String,
    title: String,
    description: String,
    learner: String,
    issuer: String,
    issued: String,
    state: &'static str,
    elements: Vec<Element>,
    outcomes: Vec<String>,
    /// The address of its verification page, which the QR code encodes.
    link: Option<String>,
    /// The signed credential, as JSON.
    credential: String,
    /// When the supplement was made.
    made: mc_core::Timestamp,
}

impl Supplement {
    /// The supplement of `credential` in `language` (`en` or `es`), with a QR code of `link` (the
    /// address of its verification page) when given.
    pub async fn load(
        app: &App,
        credential: &IssuedCredential,
        language: &str,
        link: Option<String>,
    ) -> Result<Supplement, AppError> {
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
        add(
            t.mode_label,
            text("mode").map(|mode| match i18n::participation(lang, &mode) {
                "" => mode,
                words => words.to_owned(),
            }),
        );
        let qa: Vec<&str> =
            achievement["qualityAssurance"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        add(
            t.qa_label,
            (!qa.is_empty()).then(|| {
                let kinds: Vec<&str> = qa.iter().map(|kind| i18n::quality_assurance(lang, kind)).collect();
                kinds.join(", ") + &text("qualityAssuranceBody").map(|body| format!(" ({body})")).unwrap_or_default()
            }),
        );
        add(t.prerequisites_label, text("entryRequirement"));
        add(
            t.identity_label,
            text("identityVerification").map(|kind| match mc_core::IdentityVerification::parse(&kind) {
                Ok(kind) => i18n::identity_verification(lang, kind).to_owned(),
                Err(_) => kind,
            }),
        );
        add(t.grading_label, text("gradingScheme"));
        let grade = badge
            .get("credentialSubject")
            .and_then(|subject| subject["result"][0]["value"].as_str())
            .map(str::to_owned);
        add(t.grade_label, grade);
        add(
            t.stackability_label,
            text("stackability").map(|option| {
                let option = match mc_core::StackabilityOption::parse(&option) {
                    Ok(option) => i18n::stackability(lang, option).to_owned(),
                    Err(_) => option,
                };
                match text("stackableTowards") {
                    Some(towards) => format!("{option}: {towards}"),
                    None => option,
                }
            }),
        );
        add(t.credential_format, Some(view.format.to_owned()));
        add(t.credential_id_label, Some(credential.id().to_owned()));
        let document = credential.open_badge().or(credential.sealed_edc()).unwrap_or(credential.document());
        Ok(Supplement {
            lang,
            id: credential.id().to_owned(),
            title: view.title,
            description: view.description,
            learner: view.learner,
            issuer: view.issuer,
            issued: view.issued,
            state: view.state,
            elements,
            outcomes: view.outcomes,
            link,
            credential: serde_json::to_string(document).expect("a JSON map serializes"),
            made: app.now(),
        })
    }

    /// The supplement as an HTML document.
    pub fn html(&self) -> Result<String, AppError> {
        let link = match &self.link {
            Some(url) => Some((
                url.as_str(),
                qr_code(url)?.render::<qrcode::render::svg::Color<'_>>().min_dimensions(160, 160).build(),
            )),
            None => None,
        };
        let page = SupplementPage {
            s: self,
            t: self.lang.texts(),
            lang: self.lang.code(),
            link,
            credential: mc_vc::bake::supplement_script(&self.credential),
        };
        Ok(page.render().expect("the supplement template renders"))
    }

    /// The supplement as a PDF/A-3 document, the signed credential its attached file.
    pub fn pdf(&self) -> Result<Vec<u8>, AppError> {
        let t = self.lang.texts();
        let code = match &self.link {
            Some(url) => {
                let code = qr_code(url)?;
                let width = code.width();
                let modules = code.to_colors().into_iter().map(|color| color == qrcode::Color::Dark).collect();
                Some(mc_pdf::Code { modules, width, caption: t.supplement_scan.to_owned(), url: url.clone() })
            }
            None => None,
        };
        let mut sections = Vec::new();
        if !self.description.is_empty() {
            sections.push(mc_pdf::Section { heading: None, body: mc_pdf::Body::Paragraph(self.description.clone()) });
        }
        if !self.outcomes.is_empty() {
            sections.push(mc_pdf::Section {
                heading: Some(t.outcomes.to_owned()),
                body: mc_pdf::Body::List(self.outcomes.clone()),
            });
        }
        let elements = self.elements.iter().map(|element| (element.label.to_owned(), element.value.clone())).collect();
        sections.push(mc_pdf::Section {
            heading: Some(t.supplement_elements.to_owned()),
            body: mc_pdf::Body::Facts(elements),
        });
        let sheet = mc_pdf::Sheet {
            language: self.lang.code().to_owned(),
            kicker: t.supplement_title.to_owned(),
            title: self.title.clone(),
            author: self.issuer.clone(),
            facts: vec![
                (t.learner.to_owned(), self.learner.clone()),
                (t.issuer.to_owned(), self.issuer.clone()),
                (t.issued.to_owned(), self.issued.clone()),
                (t.status.to_owned(), self.state.to_owned()),
            ],
            code,
            sections,
            footer: t.supplement_footer.to_owned(),
            attachment: mc_pdf::Attachment {
                name: "credential.json".to_owned(),
                media_type: "application/json".to_owned(),
                description: format!("{} · {}", t.supplement_attachment, self.title),
                data: self.credential.clone().into_bytes(),
            },
            date: pdf_date(self.made),
        };
        mc_pdf::render(&sheet)
            .map_err(|err| AppError::Conflict(format!("the supplement of {} cannot be made as a PDF: {err}", self.id)))
    }
}

/// The QR code of `url` (a link, or a wallet's credential offer).
pub(crate) fn qr_code(url: &str) -> Result<qrcode::QrCode, AppError> {
    qrcode::QrCode::new(url.as_bytes()).map_err(|err| AppError::Conflict(format!("no QR code for {url}: {err}")))
}

/// `time` as the PDF writer takes it.
fn pdf_date(time: mc_core::Timestamp) -> mc_pdf::Date {
    let text = time.to_rfc3339();
    let part = |range: std::ops::Range<usize>| text.get(range).and_then(|digits| digits.parse().ok()).unwrap_or(1);
    mc_pdf::Date {
        year: part(0..4),
        month: part(5..7) as u8,
        day: part(8..10) as u8,
        hour: part(11..13) as u8 % 24,
        minute: part(14..16) as u8 % 60,
        second: part(17..19) as u8 % 60,
    }
}

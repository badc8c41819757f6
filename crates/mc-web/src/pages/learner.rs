//! The learner space: sign-in with a one-time link, their credentials, downloads, share
//! links that expire, and recognition requests to other institutions with their answers.

use askama::Template;
use axum::{
    Form,
    extract::{Multipart, Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use mc_app::{App, LearnerAccess, RecognitionRequest, RequestAnswer, RequestedCredential};
use serde::Deserialize;

use crate::client::ClientAddress;

use super::{Chrome, PageError, Visitor, render, sharing::LinkView, views::CredentialView};

#[derive(Template)]
#[template(path = "learner_sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    sent: bool,
    /// Minutes to wait before asking for another link, after too many.
    wait_minutes: Option<u64>,
}

/// `GET /learner/sign-in`.
pub(crate) async fn sign_in_form(visitor: Visitor) -> Response {
    render(&SignInPage { chrome: visitor.chrome(visitor.t().learner_sign_in_title), sent: false, wait_minutes: None })
}

#[derive(Deserialize)]
pub(crate) struct EmailForm {
    email: String,
}

/// `POST /learner/sign-in`: makes a one-time link for a known address, mailed to it (or, with no
/// mail server configured, written to the log). The answer is the same whether the address is
/// known or not.
pub(crate) async fn send_link(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientAddress,
    Form(form): Form<EmailForm>,
) -> Result<Response, PageError> {
    visitor.check_origin()?;
    let chrome = visitor.chrome(visitor.t().learner_sign_in_title);
    let spanish = visitor.lang.code() == "es";
    match app.sign_in_link(&form.email, client.0.as_deref(), spanish, app.now()).await {
        Ok(Some(_)) if app.mailer().sends() => {}
        Ok(Some(secret)) => {
            let link = format!("{}/learner/link/{secret}", app.public_url());
            tracing::info!(email = %form.email.trim(), %link, "learner sign-in link (no mail server is configured: it is logged instead)");
        }
        Ok(None) => {}
        Err(mc_app::AppError::TooManyAttempts { retry_after_seconds }) => {
            let page = SignInPage { chrome, sent: false, wait_minutes: Some(retry_after_seconds.div_ceil(60)) };
            let retry = [(header::RETRY_AFTER, retry_after_seconds.to_string())];
            return Ok((StatusCode::TOO_MANY_REQUESTS, retry, render(&page)).into_response());
        }
        Err(err) => return Err(visitor.fail(err)),
    }
    Ok(render(&SignInPage { chrome, sent: true, wait_minutes: None }))
}

#[derive(Template)]
#[template(path = "learner_link.html")]
struct LinkPage {
    chrome: Chrome,
    secret: String,
}

/// `GET /learner/link/{secret}`: asks the learner to continue. Opening the link does not use it,
/// so a mail scanner that follows links does not use it up; the button does.
pub(crate) async fn confirm_link(visitor: Visitor, Path(secret): Path<String>) -> Response {
    render(&LinkPage { chrome: visitor.chrome(visitor.t().learner_sign_in_title), secret })
}

/// `POST /learner/link/{secret}`: uses a sign-in link, once, from this site's own page.
pub(crate) async fn use_link(
    State(app): State<App>,
    visitor: Visitor,
    Path(secret): Path<String>,
) -> Result<Response, PageError> {
    visitor.check_origin()?;
    match app.sign_in_learner(&secret, app.now()).await {
        Ok(session) => {
            let cookie = visitor.session_cookie(Some(&session.secret));
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/learner")).into_response())
        }
        Err(mc_app::AppError::Unauthenticated(_)) => {
            Err(visitor.error(StatusCode::UNAUTHORIZED, visitor.t().link_used))
        }
        Err(err) => Err(visitor.fail(err)),
    }
}

struct Item {
    view: CredentialView,
    /// The links that show it.
    links: Vec<LinkView>,
    /// The institutions the learner may ask to recognise it: every other one.
    others: Vec<(String, String)>,
}

/// A recognition request and its answer, as the learner reads it.
pub(crate) struct RequestView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) institution: String,
    pub(crate) learner: String,
    pub(crate) asked: String,
    pub(crate) note: String,
    /// `waiting`, `accepted` or `rejected`.
    pub(crate) state: &'static str,
    pub(crate) state_words: &'static str,
    /// What was granted, or why not.
    pub(crate) answer: String,
    /// Why fewer ECTS were granted than proposed.
    pub(crate) amended: String,
    pub(crate) decided: String,
}

impl RequestView {
    pub(crate) async fn new(app: &App, request: &RecognitionRequest, lang: super::Lang) -> RequestView {
        let t = lang.texts();
        let institution = match app.institution(request.institution.as_str()).await {
            Ok(institution) => institution.name().best(&super::views::tag(lang)).to_owned(),
            Err(_) => request.institution.to_string(),
        };
        let (state, state_words, answer, amended, decided) = match &request.answer {
            None => ("waiting", t.request_waiting, String::new(), String::new(), String::new()),
            Some(RequestAnswer::Accepted { granted, rule, ects, amended, decided_at, .. }) => (
                "accepted",
                t.request_accepted,
                granted_words(app, rule.as_ref(), *ects, amended.is_some(), lang)
                    .await
                    .unwrap_or_else(|| granted.clone()),
                amended.clone().unwrap_or_default(),
                super::views::day(*decided_at, lang),
            ),
            Some(RequestAnswer::Rejected { reason, decided_at }) => {
                ("rejected", t.request_rejected, reason.clone(), String::new(), super::views::day(*decided_at, lang))
            }
        };
        RequestView {
            id: request.id.clone(),
            title: request.title.clone(),
            institution,
            learner: format!("{} ({})", request.learner.name(), request.learner.email()),
            asked: super::views::day(request.requested_at, lang),
            note: request.note.clone().unwrap_or_default(),
            state,
            state_words,
            answer,
            amended,
            decided,
        }
    }
}

/// How far the learner is along a pathway, as they read it.
struct PathwayView {
    id: String,
    title: String,
    institution: String,
    complete: bool,
    ects: String,
    needed: String,
    /// For the progress bar: counted and needed, capped at needed.
    bar: (f64, f64),
    counted: Vec<String>,
    not_counted: Vec<String>,
    /// Each skill still needed: its ESCO address and, when known, its name.
    missing_skills: Vec<(String, String)>,
    /// Catalogue id, title with ECTS, and whether it teaches a missing skill.
    suggestions: Vec<(String, String, bool)>,
    /// The stacked credential's id, issue day and whether it has a European Digital
    /// Credential, once issued.
    stacked: Option<(String, String, bool)>,
}

impl PathwayView {
    async fn new(app: &App, standing: &mc_app::PathwayStanding, lang: super::Lang) -> PathwayView {
        let tag = super::views::tag(lang);
        let pathway = &standing.pathway.pathway;
        let institution = match app.institution(pathway.institution.as_str()).await {
            Ok(institution) => institution.name().best(&tag).to_owned(),
            Err(_) => pathway.institution.to_string(),
        };
        let title = |id: &str| standing.titles.get(id).cloned().unwrap_or_else(|| id.to_owned());
        let progress = &standing.progress;
        let recognised = lang.texts().counts_through_recognition;
        // A credential that counts through its recognition is listed once, as counted.
        let through_recognition: Vec<&str> = progress
            .not_counted
            .iter()
            .filter(|(_, why)| *why == mc_core::stacking::NotCounted::ThroughRecognition)
            .map(|(id, _)| id.as_str())
            .collect();
        PathwayView {
            id: pathway.id.clone(),
            title: pathway.title.best(&tag).to_owned(),
            institution,
            complete: progress.complete,
            ects: progress.ects.0.to_string(),
            needed: progress.ects.1.to_string(),
            bar: (progress.ects.0.min(progress.ects.1), progress.ects.1),
            counted: progress
                .counted
                .iter()
                .map(|(id, ects)| match through_recognition.contains(&id.as_str()) {
                    true => format!("{} · {ects} ECTS ({recognised})", title(id)),
                    false => format!("{} · {ects} ECTS", title(id)),
                })
                .collect(),
            not_counted: progress
                .not_counted
                .iter()
                .filter(|(id, _)| !through_recognition.contains(&id.as_str()))
                .map(|(id, why)| format!("{}: {}", title(id), super::i18n::not_counted(lang, why)))
                .collect(),
            missing_skills: progress
                .missing_skills
                .iter()
                .map(|skill| (skill.clone(), standing.skill_names.get(skill).cloned().unwrap_or_else(|| skill.clone())))
                .collect(),
            suggestions: standing
                .suggestions
                .iter()
                .map(|found| {
                    let ects = found.ects.map(|ects| format!(" · {ects} ECTS")).unwrap_or_default();
                    (found.spec.to_string(), format!("{}{ects}", found.title), found.teaches_missing)
                })
                .collect(),
            stacked: standing
                .stacked
                .as_ref()
                .map(|stacked| (stacked.id.clone(), super::views::day(stacked.issued_at, lang), stacked.edc.is_some())),
        }
    }
}

/// What a decision granted, in the reader's language, from the rule of the agreement version
/// it was made under; `None` when that rule cannot be read.
async fn granted_words(
    app: &App,
    rule: Option<&(String, u32, String)>,
    ects: f64,
    amended: bool,
    lang: super::Lang,
) -> Option<String> {
    let (agreement, version, rule) = rule?;
    let stored = app.agreement(agreement, Some(*version)).await.ok()?;
    let grant = &stored.agreement.rules.iter().find(|found| found.id == *rule)?.grant;
    Some(super::i18n::granted(lang, grant, ects, amended))
}

#[derive(Template)]
#[template(path = "learner.html")]
struct SpacePage {
    chrome: Chrome,
    credentials: Vec<Item>,
    /// Every link the learner made.
    links: Vec<LinkView>,
    pathways: Vec<PathwayView>,
    requests: Vec<RequestView>,
    /// Every institution, for asking about a credential from elsewhere.
    institutions: Vec<(String, String)>,
    /// What went wrong with the last request, in words.
    problem: String,
}

/// `GET /learner`: the signed-in learner's credentials and their share links.
pub(crate) async fn space(State(app): State<App>, visitor: Visitor) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    space_page(&app, &visitor, &learner, String::new()).await
}

/// The learner space, with `problem` (what went wrong with a request) above it when not empty.
async fn space_page(
    app: &App,
    visitor: &Visitor,
    learner: &LearnerAccess<'_>,
    problem: String,
) -> Result<Response, PageError> {
    let fail = |err| visitor.fail(err);
    let institutions: Vec<(String, String)> = app
        .institutions()
        .await
        .map_err(fail)?
        .iter()
        .map(|institution| {
            (institution.id().to_string(), institution.name().best(&super::views::tag(visitor.lang)).to_owned())
        })
        .collect();
    let now = app.now();
    let mut loaded = Vec::new();
    for credential in learner.credentials().await.map_err(fail)? {
        let view = CredentialView::load(app, &credential, visitor.lang).await.map_err(fail)?;
        loaded.push((credential, view));
    }
    let all_links = learner.all_share_links().await.map_err(fail)?;
    let mut credentials = Vec::new();
    for (credential, view) in &loaded {
        let links = all_links
            .iter()
            .filter(|link| link.credentials.iter().any(|id| id == credential.id()))
            .map(|link| LinkView::new(app, link, &loaded, visitor, now))
            .collect();
        let issuer = credential.institution_id().as_str();
        let others = institutions.iter().filter(|(id, _)| id != issuer).cloned().collect();
        credentials.push(Item { view: view.clone(), links, others });
    }
    let links = all_links.iter().map(|link| LinkView::new(app, link, &loaded, visitor, now)).collect();
    let mut requests = Vec::new();
    for request in learner.recognition_requests().await.map_err(fail)? {
        requests.push(RequestView::new(app, &request, visitor.lang).await);
    }
    let mut pathways = Vec::new();
    for standing in learner.pathways(visitor.lang.code()).await.map_err(fail)? {
        pathways.push(PathwayView::new(app, &standing, visitor.lang).await);
    }
    let page = SpacePage {
        chrome: visitor.chrome(visitor.t().learner_title),
        credentials,
        links,
        pathways,
        requests,
        institutions,
        problem: problem.clone(),
    };
    match problem.is_empty() {
        true => Ok(render(&page)),
        false => Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()),
    }
}

#[derive(Deserialize)]
pub(crate) struct AskForm {
    csrf: String,
    institution: String,
    #[serde(default)]
    note: String,
}

/// `POST /learner/credentials/{id}/recognition`: asks an institution to recognise one of the
/// learner's credentials. A refusal (the credential does not verify, asked already) is shown
/// above the learner space.
pub(crate) async fn ask_recognition(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<AskForm>,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    visitor.check_form(&form.csrf)?;
    let asked = learner.ask_recognition(&form.institution, RequestedCredential::Own(&id), &form.note, app.now()).await;
    back_to_space(&app, &visitor, &learner, asked.map(|request| format!("request-{}", request.id))).await
}

/// `POST /learner/recognition`: asks an institution to recognise a credential from elsewhere,
/// uploaded as a file (multipart: `csrf`, `institution`, `note`, `file`).
pub(crate) async fn ask_recognition_upload(
    State(app): State<App>,
    visitor: Visitor,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    let unreadable = |err: axum::extract::multipart::MultipartError| visitor.refuse(err.status(), &err.body_text());
    let (mut csrf, mut institution, mut note, mut file) = (String::new(), String::new(), String::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(unreadable)?,
            "institution" => institution = field.text().await.map_err(unreadable)?,
            "note" => note = field.text().await.map_err(unreadable)?,
            "file" => file = field.bytes().await.map_err(unreadable)?.to_vec(),
            _ => {}
        }
    }
    visitor.check_form(&csrf)?;
    let Ok(text) = String::from_utf8(file) else {
        return space_page(&app, &visitor, &learner, visitor.t().request_file_unreadable.to_owned()).await;
    };
    let asked = learner.ask_recognition(&institution, RequestedCredential::Upload(&text), &note, app.now()).await;
    back_to_space(&app, &visitor, &learner, asked.map(|request| format!("request-{}", request.id))).await
}

/// After something the learner did from their space: back to it at `anchor`, or the space with
/// what went wrong when the input was refused (other errors are error pages).
pub(crate) async fn back_to_space(
    app: &App,
    visitor: &Visitor,
    learner: &LearnerAccess<'_>,
    done: Result<String, mc_app::AppError>,
) -> Result<Response, PageError> {
    match done {
        Ok(anchor) => Ok(Redirect::to(&format!("/learner#{anchor}")).into_response()),
        Err(err @ (mc_app::AppError::InvalidArgument { .. } | mc_app::AppError::Conflict(_))) => {
            space_page(app, visitor, learner, err.to_string()).await
        }
        Err(err) => Err(visitor.fail(err)),
    }
}

#[derive(Template)]
#[template(path = "wallet_offer.html")]
struct WalletOfferPage {
    chrome: Chrome,
    id: String,
    title: String,
    issuer: String,
    /// The offer as a QR code (SVG).
    qr: String,
    tx_code: String,
    offer_uri: String,
    /// Until when the offer can be taken: a time of day, in UTC.
    expires: String,
}

/// `POST /learner/credentials/{id}/wallet`: an offer of one of the learner's credentials to
/// their wallet, as a QR code and a link, with the code the wallet will ask for.
pub(crate) async fn wallet_offer(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<super::issuer::CsrfForm>,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    visitor.check_form(&form.csrf)?;
    let fail = |err| visitor.fail(err);
    let credential = learner.credential(&id).await.map_err(fail)?;
    let view = CredentialView::load(&app, &credential, visitor.lang).await.map_err(fail)?;
    let offer = match learner.offer_to_wallet(&id, app.now()).await {
        Ok(offer) => offer,
        Err(err) => return back_to_space(&app, &visitor, &learner, Err(err)).await,
    };
    let qr = super::supplement::qr_code(&offer.offer_uri)
        .map_err(fail)?
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .build();
    let expires = offer.expires_at.to_rfc3339();
    Ok(render(&WalletOfferPage {
        chrome: visitor.chrome(visitor.t().wallet_title),
        id,
        title: view.title,
        issuer: view.issuer,
        qr,
        tx_code: offer.tx_code,
        offer_uri: offer.offer_uri,
        expires: format!("{} UTC", expires.get(11..16).unwrap_or_default()),
    }))
}

/// `GET /learner/recognition/{id}/decision.json`: the signed recognition decision credential
/// that answers one of the learner's requests.
pub(crate) async fn decision_file(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    let requests = learner.recognition_requests().await.map_err(|err| visitor.fail(err))?;
    let credential = requests.into_iter().find(|request| request.id == id).and_then(|request| match request.answer {
        Some(RequestAnswer::Accepted { credential, .. }) => Some(credential),
        _ => None,
    });
    match credential {
        Some(credential) => Ok((
            [
                (header::CONTENT_TYPE, "application/vc+ld+json".to_owned()),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"recognition-decision.json\"".to_owned()),
            ],
            credential,
        )
            .into_response()),
        None => Err(visitor.error(StatusCode::NOT_FOUND, visitor.t().decision_not_found)),
    }
}

/// `GET /learner/credentials/{id}/{file}`: one of the learner's credentials to save
/// (`credential.json`), or its sealed European Digital Credential, for Europass
/// (`credential.edc.json`).
pub(crate) async fn download(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    let credential = learner.credential(&id).await.map_err(|err| visitor.fail(err))?;
    super::public::credential_file(&app, &visitor, credential, &file, None).await
}

/// `POST /learner/pathways/{id}/issue`: the stacked credential of a pathway the learner
/// completed (the one issued before, when asked again).
pub(crate) async fn claim_stacked(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<super::issuer::CsrfForm>,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    visitor.check_form(&form.csrf)?;
    let claimed = learner.claim_stacked(&id, app.now()).await.map(|_| format!("pathway-{id}"));
    back_to_space(&app, &visitor, &learner, claimed).await
}

/// `GET /learner/stacked/{id}/{file}`: one of the learner's stacked credentials, the Open
/// Badges credential (`credential.json`) or the sealed European Digital Credential
/// (`credential.edc.json`).
pub(crate) async fn stacked_file(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    let stacked = learner.stacked_credentials().await.map_err(|err| visitor.fail(err))?;
    let stacked = stacked.into_iter().find(|stacked| stacked.id == id);
    let not_found = || visitor.error(StatusCode::NOT_FOUND, visitor.t().decision_not_found);
    let (document, content_type, name) = match (file.as_str(), &stacked) {
        ("credential.json", Some(stacked)) => (&stacked.document, "application/vc+ld+json", "certificate.json"),
        ("credential.edc.json", Some(stacked)) => {
            (stacked.edc.as_ref().ok_or_else(not_found)?, "application/json", "certificate.edc.json")
        }
        _ => return Err(not_found()),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        serde_json::to_string_pretty(document).expect("a JSON map serializes"),
    )
        .into_response())
}

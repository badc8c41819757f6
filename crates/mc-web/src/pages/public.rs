//! Pages anyone may see: home, catalogue, verification, and credentials their learners shared.

use std::sync::Arc;

use askama::Template;
use axum::{
    Json,
    extract::{Multipart, Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use mc_app::App;
use mc_vc::bake::ImageKind;
use serde::Deserialize;

use super::{
    Chrome, PageError, Visitor, render,
    views::{CredentialView, ResultView},
};
use crate::{ServerState, verifying::verify_text};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
}

/// `GET /`.
pub(crate) async fn home(visitor: Visitor) -> Response {
    render(&HomePage { chrome: visitor.chrome("microcred") })
}

/// `GET /assets/style.css`.
pub(crate) async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/style.css"),
    )
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    chrome: Chrome,
    result: Option<ResultView>,
    pasted: String,
    url: String,
    /// What was wrong with what was given, shown on the form.
    error: String,
    /// The English detail behind it, when there is one (why an address could not be read).
    error_detail: Option<String>,
    /// The email address given to check the credential against.
    email: String,
}

/// The verification form again, with what was given and what was wrong with it.
fn form_with_error(visitor: &Visitor, pasted: String, url: String, error: String) -> Response {
    form_with_detail(visitor, pasted, url, error, None)
}

/// [`form_with_error`], with the English detail behind the error.
fn form_with_detail(visitor: &Visitor, pasted: String, url: String, error: String, detail: Option<String>) -> Response {
    let chrome = visitor.chrome(visitor.t().verify_title);
    let page = VerifyPage { chrome, result: None, pasted, url, error, error_detail: detail, email: String::new() };
    (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
}

#[derive(Deserialize)]
pub(crate) struct VerifyQuery {
    #[serde(default)]
    url: String,
    /// The learner's email address, to check that the credential is theirs.
    #[serde(default)]
    email: String,
}

/// `GET /verify[?url=]`: the form, or the result of verifying the credential at `url`.
pub(crate) async fn verify_form(
    State(state): State<ServerState>,
    visitor: Visitor,
    Query(query): Query<VerifyQuery>,
) -> Result<Response, PageError> {
    let url = query.url.trim().to_owned();
    let title = visitor.t().verify_title;
    if url.is_empty() {
        let page = VerifyPage {
            chrome: visitor.chrome(title),
            result: None,
            pasted: String::new(),
            url,
            error: String::new(),
            error_detail: None,
            email: String::new(),
        };
        return Ok(render(&page));
    }
    let text = match fetch_credential(&state, &visitor, &url).await {
        Ok(text) => text,
        // The link's own page shows each of its credentials verified.
        Err(Unfetched::Several(id)) => {
            return Ok(Redirect::to(&format!("/c/{id}?lang={}", visitor.lang.code())).into_response());
        }
        Err(Unfetched::Said(error)) => return Ok(form_with_error(&visitor, String::new(), url, error)),
        Err(Unfetched::Failed(detail)) => {
            let error = visitor.t().verify_fetch_failed.to_owned();
            return Ok(form_with_detail(&visitor, String::new(), url, error, Some(detail)));
        }
    };
    let email = query.email.trim().to_owned();
    let result = Some(verified(&state, &visitor, text, &email).await?);
    let chrome = visitor.chrome(title);
    Ok(render(&VerifyPage {
        chrome,
        result,
        pasted: String::new(),
        url,
        error: String::new(),
        error_detail: None,
        email,
    }))
}

/// Verifies a credential's text and words the result in the visitor's language, saying
/// whether it was issued to `email` when one is given.
pub(crate) async fn verified(
    state: &ServerState,
    visitor: &Visitor,
    text: String,
    email: &str,
) -> Result<ResultView, PageError> {
    let verification = verify_text(state, text.clone()).await.map_err(|err| match err.status() {
        // The verification queue is full.
        StatusCode::SERVICE_UNAVAILABLE => visitor.error(err.status(), visitor.t().verify_busy),
        status => visitor.refuse(status, err.message()),
    })?;
    Ok(ResultView::new(&verification, visitor.lang, &text, email))
}

/// Why no credential was fetched from an address.
enum Unfetched {
    /// The address is a link shared here to several credentials, with this id.
    Several(String),
    /// What went wrong, in the visitor's language.
    Said(String),
    /// Nothing could be fetched from it; why, in the fetcher's (English) words.
    Failed(String),
}

/// The credential at `url`: a link to a credential shared here is read from the database;
/// any other is fetched by the server's resolver (over HTTPS, from a public address).
async fn fetch_credential(state: &ServerState, visitor: &Visitor, url: &str) -> Result<String, Unfetched> {
    let t = visitor.t();
    let shared = format!("{}/c/", state.app.public_url());
    if let Some(id) = url.strip_prefix(&shared) {
        let id = id.trim_end_matches('/').trim_end_matches("/credential.json");
        return match state.app.shared_credential(id, state.app.now()).await {
            Ok(credential) => Ok(serde_json::to_string(credential.document()).expect("a JSON map serializes")),
            Err(mc_app::AppError::InvalidArgument { .. }) => Err(Unfetched::Several(id.to_owned())),
            Err(_) => Err(Unfetched::Said(t.share_gone.to_owned())),
        };
    }
    if !url.starts_with("https://") {
        return Err(Unfetched::Said(t.verify_https_only.to_owned()));
    }
    let (online, owned) = (Arc::clone(&state.online), url.to_owned());
    match tokio::task::spawn_blocking(move || online.fetch_text(&owned)).await {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(err)) => Err(Unfetched::Failed(err.to_string())),
        Err(err) => Err(Unfetched::Failed(err.to_string())),
    }
}

/// `POST /verify`: a pasted or uploaded credential (multipart form).
pub(crate) async fn verify_submitted(
    State(state): State<ServerState>,
    visitor: Visitor,
    mut form: Multipart,
) -> Result<Response, PageError> {
    visitor.check_origin()?;
    let bad_form = |err: axum::extract::multipart::MultipartError| visitor.refuse(err.status(), &err.body_text());
    let (mut pasted, mut uploaded, mut email) = (String::new(), String::new(), String::new());
    while let Some(field) = form.next_field().await.map_err(bad_form)? {
        match field.name() {
            Some("credential") => pasted = field.text().await.map_err(bad_form)?,
            Some("email") => email = field.text().await.map_err(bad_form)?.trim().to_owned(),
            // A file may be a badge image with the credential baked in.
            Some("file") => {
                let bytes = field.bytes().await.map_err(bad_form)?;
                match mc_vc::bake::credential_text(&bytes) {
                    Ok(text) => uploaded = text.into_owned(),
                    Err(err) => {
                        let error = super::i18n::unreadable_file(visitor.lang, &err);
                        return Ok(form_with_error(&visitor, pasted, String::new(), error));
                    }
                }
            }
            _ => {}
        }
    }
    let text = match uploaded.trim().is_empty() {
        true => pasted.trim().to_owned(),
        false => uploaded.trim().to_owned(),
    };
    let title = visitor.t().verify_title;
    if text.is_empty() {
        return Ok(form_with_error(&visitor, pasted, String::new(), visitor.t().verify_nothing.to_owned()));
    }
    let result = Some(verified(&state, &visitor, text, &email).await?);
    let chrome = visitor.chrome(title);
    Ok(render(&VerifyPage {
        chrome,
        result,
        pasted,
        url: String::new(),
        error: String::new(),
        error_detail: None,
        email,
    }))
}

#[derive(Template)]
#[template(path = "credential.html")]
struct CredentialPage {
    chrome: Chrome,
    view: CredentialView,
    result: ResultView,
    download: String,
    /// The page's address, for link previews.
    url: String,
    /// Its badge image's address, for link previews.
    image: String,
}

/// `GET /c/{id}`: a credential its learner shared, while the link lasts, with its verification.
pub(crate) async fn shared_credential(
    State(state): State<ServerState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let mut credentials =
        app.shared(&id, app.now()).await.map_err(|_| visitor.error(StatusCode::NOT_FOUND, visitor.t().share_gone))?;
    if credentials.len() != 1 {
        return super::sharing::selection_page(&state, &visitor, &id, credentials).await;
    }
    let credential = credentials.remove(0);
    let view = CredentialView::load(app, &credential, visitor.lang).await.map_err(|err| visitor.fail(err))?;
    let text = serde_json::to_string(credential.document()).expect("a JSON map serializes");
    let result = verified(&state, &visitor, text, "").await?;
    let download = format!("/c/{id}");
    let url = format!("{}{download}", app.public_url());
    let image = app.badge_url(credential.spec_id());
    Ok(render(&CredentialPage { chrome: visitor.chrome(&view.title), view, result, download, url, image }))
}

/// `GET /c/{id}/{file}`: the shared credential itself (`credential.json`), or its sealed
/// European Digital Credential (`credential.edc.json`).
pub(crate) async fn shared_credential_file(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let credential = app
        .shared_credential(&id, app.now())
        .await
        .map_err(|_| visitor.error(StatusCode::NOT_FOUND, visitor.t().share_gone))?;
    credential_file(&app, &visitor, credential, &file, Some(&id)).await
}

/// A credential's file to save: `credential.json` (the issued document),
/// `credential.edc.json` (the sealed EDC; 404 when it was issued as an Open Badge only),
/// `badge.png` and `badge.svg` (the badge image with the Open Badges credential baked in), or
/// `supplement.pdf` and `supplement.html` (the printable supplement, in the visitor's language).
/// `shared` is the link a visitor came through, which a supplement's QR code then opens; the
/// learner's own supplement gets a link that does not expire.
pub(crate) async fn credential_file(
    app: &App,
    visitor: &Visitor,
    credential: mc_app::IssuedCredential,
    file: &str,
    shared: Option<&str>,
) -> Result<Response, PageError> {
    let kind = match file {
        "credential.json" => return Ok(download(credential)),
        "credential.edc.json" => {
            let sealed =
                credential.sealed_edc().ok_or_else(|| visitor.error(StatusCode::NOT_FOUND, visitor.t().no_edc))?;
            return Ok(attachment(Json(sealed).into_response(), &format!("credential-{}.edc.json", credential.id())));
        }
        "badge.png" => ImageKind::Png,
        "badge.svg" => ImageKind::Svg,
        "supplement.pdf" | "supplement.html" => {
            let link = match shared {
                Some(id) => Some(format!("{}/c/{id}", app.public_url())),
                None => app.supplement_link(&credential, app.now()).await.map_err(|err| visitor.fail(err))?,
            };
            let supplement = super::Supplement::load(app, &credential, visitor.lang.code(), link)
                .await
                .map_err(|err| visitor.fail(err))?;
            let name = format!("supplement-{}.{}", credential.id(), &file[11..]);
            let response = if file == "supplement.pdf" {
                let pdf = supplement.pdf().map_err(|err| visitor.fail(err))?;
                ([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response()
            } else {
                let html = supplement.html().map_err(|err| visitor.fail(err))?;
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
            };
            return Ok(attachment(response, &name));
        }
        _ => return Err(visitor.error(StatusCode::NOT_FOUND, visitor.t().no_such_file)),
    };
    let baked = app.baked_badge(&credential, kind).await.map_err(|err| match err {
        mc_app::AppError::NotFound { .. } => visitor.error(StatusCode::NOT_FOUND, visitor.t().no_badge),
        err => visitor.fail(err),
    })?;
    Ok(attachment(image(baked), &format!("badge-{}.{}", credential.id(), &file[6..])))
}

/// An image answer: its media type, and for an SVG a policy that runs nothing in it.
pub(crate) fn image(image: mc_app::BadgeImage) -> Response {
    let mut response = ([(header::CONTENT_TYPE, image.kind.media_type())], image.bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    response
}

/// `GET /catalogue/{id}/badge`: a published specification's badge image.
pub(crate) async fn badge(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let badge = app.published_badge_image(&id).await.map_err(|err| visitor.fail(err))?;
    Ok(image(badge))
}

fn attachment(mut response: Response, name: &str) -> Response {
    if let Ok(value) = header::HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A credential as a file to save.
pub(crate) fn download(credential: mc_app::IssuedCredential) -> Response {
    attachment(Json(credential.document()).into_response(), &format!("credential-{}.json", credential.id()))
}

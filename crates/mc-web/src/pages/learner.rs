//! The learner space: sign-in with a one-time link, their credentials, downloads and share
//! links that expire.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use mc_app::App;
use serde::Deserialize;

use crate::client::ClientAddress;

use super::{Chrome, PageError, Visitor, render, views::CredentialView};

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

/// `POST /learner/sign-in`: makes a one-time link for a known address. The answer is the same
/// whether the address is known or not. This build writes the link to the log instead of
/// sending an email.
pub(crate) async fn send_link(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientAddress,
    Form(form): Form<EmailForm>,
) -> Result<Response, PageError> {
    visitor.check_origin()?;
    let chrome = visitor.chrome(visitor.t().learner_sign_in_title);
    match app.sign_in_link(&form.email, client.0.as_deref(), app.now()).await {
        Ok(Some(secret)) => {
            let link = format!("{}/learner/link/{secret}", app.public_url());
            tracing::info!(email = %form.email.trim(), %link, "learner sign-in link (this build logs it instead of emailing it)");
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

struct LinkView {
    url: String,
    expires: String,
    live: bool,
}

struct Item {
    view: CredentialView,
    links: Vec<LinkView>,
}

#[derive(Template)]
#[template(path = "learner.html")]
struct SpacePage {
    chrome: Chrome,
    credentials: Vec<Item>,
}

/// `GET /learner`: the signed-in learner's credentials and their share links.
pub(crate) async fn space(State(app): State<App>, visitor: Visitor) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    let fail = |err| visitor.fail(err);
    let now = app.now();
    let mut credentials = Vec::new();
    for credential in learner.credentials().await.map_err(fail)? {
        let links = learner
            .share_links(credential.id())
            .await
            .map_err(fail)?
            .into_iter()
            .map(|link| LinkView {
                url: format!("{}/c/{}", app.public_url(), link.id),
                expires: super::views::day(link.expires_at),
                live: link.expires_at > now,
            })
            .collect();
        let view = CredentialView::load(&app, &credential, visitor.lang).await.map_err(fail)?;
        credentials.push(Item { view, links });
    }
    Ok(render(&SpacePage { chrome: visitor.chrome(visitor.t().learner_title), credentials }))
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
    super::public::credential_file(&visitor, credential, &file)
}

#[derive(Deserialize)]
pub(crate) struct ShareForm {
    csrf: String,
    days: u32,
}

/// `POST /learner/credentials/{id}/share`: a public link for some days.
pub(crate) async fn share(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<ShareForm>,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    visitor.check_form(&form.csrf)?;
    learner.share(&id, form.days, app.now()).await.map_err(|err| visitor.fail(err))?;
    Ok(Redirect::to("/learner").into_response())
}

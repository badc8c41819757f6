//! Sharing, for learners and for whoever gets a link: the learner shares one credential or a
//! selection of several behind one link (for some days, or until withdrawn), sees their links
//! with LinkedIn's "add to profile" and "share" links, and withdraws any; a link to several
//! credentials opens a page that verifies each, with link-preview metadata and a print view.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use mc_app::{App, IssuedCredential, ShareLink};
use mc_core::Timestamp;

use super::{Chrome, PageError, Visitor, render, views::CredentialView, views::ResultView};
use crate::ServerState;

/// A share link, as its learner reads it.
pub(crate) struct LinkView {
    pub(crate) id: String,
    pub(crate) url: String,
    /// "expires 2026-12-31", "does not expire", "expired", "withdrawn on …".
    pub(crate) state: String,
    pub(crate) live: bool,
    /// The titles of the credentials it shows.
    pub(crate) titles: Vec<String>,
    /// LinkedIn's "share" link, for a live link.
    pub(crate) linkedin_share: String,
    /// LinkedIn's "add to profile" link, for a live link to one credential.
    pub(crate) linkedin_add: String,
}

impl LinkView {
    /// `credentials` are the learner's, to name what the link shows.
    pub(crate) fn new(
        app: &App,
        link: &ShareLink,
        credentials: &[(IssuedCredential, CredentialView)],
        visitor: &Visitor,
        now: Timestamp,
    ) -> LinkView {
        let t = visitor.t();
        let url = format!("{}/c/{}", app.public_url(), link.id);
        let state = match (link.withdrawn_at, link.expires_at) {
            (Some(at), _) => format!("{} {}", t.withdrawn_on, super::views::day(at, visitor.lang)),
            (None, Some(at)) if at <= now => t.expired.to_owned(),
            (None, Some(at)) => format!("{} {}", t.expires, super::views::day(at, visitor.lang)),
            (None, None) => t.no_expiry.to_owned(),
        };
        let shown: Vec<&(IssuedCredential, CredentialView)> = link
            .credentials
            .iter()
            .filter_map(|id| credentials.iter().find(|(credential, _)| credential.id() == id))
            .collect();
        let live = link.live(now);
        let linkedin_add = match (live, shown.as_slice()) {
            (true, [(credential, view)]) => linkedin_add(credential, view, &url),
            _ => String::new(),
        };
        LinkView {
            id: link.id.clone(),
            linkedin_share: match live {
                true => format!("https://www.linkedin.com/sharing/share-offsite/?url={}", encode(&url)),
                false => String::new(),
            },
            linkedin_add,
            titles: shown.iter().map(|(_, view)| view.title.clone()).collect(),
            url,
            state,
            live,
        }
    }
}

/// LinkedIn's "add to profile" link for one shared credential: its name, issuing
/// organisation, issue year and month, id and address.
fn linkedin_add(credential: &IssuedCredential, view: &CredentialView, url: &str) -> String {
    let issued = credential.issued_at().to_rfc3339();
    let (year, month) = (&issued[..4], issued[5..7].trim_start_matches('0'));
    format!(
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name={}&organizationName={}&issueYear={year}&issueMonth={month}&certId={}&certUrl={}",
        encode(&view.title),
        encode(&view.issuer),
        encode(credential.id()),
        encode(url)
    )
}

/// Percent-encodes `text` for a query value: everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => encoded.push(byte as char),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// How long a new link lasts: a number of days, or `never`.
fn days_of(raw: &str) -> Result<Option<u32>, String> {
    match raw.trim() {
        "never" => Ok(None),
        days => days.parse().map(Some).map_err(|_| format!("{days:?} is not a number of days")),
    }
}

/// `POST /learner/credentials/{id}/share`: a public link to one credential.
pub(crate) async fn share_one(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| form.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    share(&app, &visitor, &[id.as_str()], field("csrf").unwrap_or_default(), field("days").unwrap_or_default()).await
}

/// `POST /learner/share`: one public link to the selected credentials (`credential`, repeated).
pub(crate) async fn share_selection(
    State(app): State<App>,
    visitor: Visitor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| form.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let chosen: Vec<&str> =
        form.iter().filter(|(key, _)| key == "credential").map(|(_, value)| value.as_str()).collect();
    share(&app, &visitor, &chosen, field("csrf").unwrap_or_default(), field("days").unwrap_or_default()).await
}

async fn share(app: &App, visitor: &Visitor, chosen: &[&str], csrf: &str, days: &str) -> Result<Response, PageError> {
    let learner = visitor.learner(app).await?;
    visitor.check_form(csrf)?;
    let days = days_of(days).map_err(|message| visitor.error(StatusCode::UNPROCESSABLE_ENTITY, &message))?;
    let shared = learner.share_selection(chosen, days, app.now()).await.map(|link| format!("link-{}", link.id));
    super::learner::back_to_space(app, visitor, &learner, shared).await
}

/// `POST /learner/links/{id}/withdraw`: the link shows nothing from now on.
pub(crate) async fn withdraw(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<super::issuer::CsrfForm>,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    visitor.check_form(&form.csrf)?;
    learner.withdraw_share_link(&id, app.now()).await.map_err(|err| visitor.fail(err))?;
    Ok(Redirect::to(&format!("/learner#link-{id}")).into_response())
}

/// `GET /learner/links/{id}/presentation.json`: the credentials of one of the learner's links as
/// a Verifiable Presentation, unsigned, with the learner as holder when they have a DID: they
/// sign it with their own key for a verifier (`microcred sign --challenge … --domain …`).
pub(crate) async fn presentation(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let learner = visitor.learner(&app).await?;
    let fail = |err| visitor.fail(err);
    let links = learner.all_share_links().await.map_err(fail)?;
    let link = links
        .iter()
        .find(|link| link.id == id)
        .ok_or_else(|| visitor.error(StatusCode::NOT_FOUND, visitor.t().share_gone))?;
    let mut credentials = Vec::with_capacity(link.credentials.len());
    for credential in &link.credentials {
        credentials
            .push(serde_json::Value::Object(learner.credential(credential).await.map_err(fail)?.document().clone()));
    }
    let mut presentation = serde_json::json!({
        "@context": [mc_vc::contexts::CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": credentials,
    });
    if let Some(did) = learner.learner().did() {
        presentation["holder"] = did.as_str().into();
    }
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/vp+ld+json"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"presentation.json\""),
        ],
        serde_json::to_string_pretty(&presentation).expect("a JSON value serializes"),
    )
        .into_response())
}

/// One credential of a shared selection, with its verification.
struct SharedItem {
    view: CredentialView,
    result: ResultView,
    /// Where its files are: `/c/{link}/{n}`.
    files: String,
}

#[derive(Template)]
#[template(path = "shared.html")]
struct SelectionPage {
    chrome: Chrome,
    learner: String,
    items: Vec<SharedItem>,
    /// For link previews.
    description: String,
    url: String,
    /// The first credential's badge image, for link previews.
    image: String,
}

/// The page of a link to several credentials: each with its verification, now.
pub(crate) async fn selection_page(
    state: &ServerState,
    visitor: &Visitor,
    link_id: &str,
    credentials: Vec<IssuedCredential>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let mut items = Vec::with_capacity(credentials.len());
    for (idx, credential) in credentials.iter().enumerate() {
        let view = CredentialView::load(app, credential, visitor.lang).await.map_err(|err| visitor.fail(err))?;
        let text = serde_json::to_string(credential.document()).expect("a JSON map serializes");
        let result = super::public::verified(state, visitor, text, "").await?;
        items.push(SharedItem { view, result, files: format!("/c/{link_id}/{}", idx + 1) });
    }
    let learner = items.first().map(|item| item.view.learner.clone()).unwrap_or_default();
    let image = credentials.first().map(|credential| app.badge_url(credential.spec_id())).unwrap_or_default();
    let titles: Vec<&str> = items.iter().map(|item| item.view.title.as_str()).collect();
    let description = titles.join(" · ");
    let title = format!("{} · {}", visitor.t().shared_selection_title, learner);
    let page = SelectionPage {
        chrome: visitor.chrome(&title),
        learner,
        items,
        description,
        url: format!("{}/c/{link_id}", app.public_url()),
        image,
    };
    Ok(render(&page))
}

/// `GET /c/{id}/{n}/{file}`: a file of the `n`th credential of a shared selection.
pub(crate) async fn selection_file(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, n, file)): Path<(String, usize, String)>,
) -> Result<Response, PageError> {
    let gone = || visitor.error(StatusCode::NOT_FOUND, visitor.t().share_gone);
    let mut credentials = app.shared(&id, app.now()).await.map_err(|_| gone())?;
    if n == 0 || n > credentials.len() {
        return Err(gone());
    }
    super::public::credential_file(&app, &visitor, credentials.swap_remove(n - 1), &file, Some(&id)).await
}

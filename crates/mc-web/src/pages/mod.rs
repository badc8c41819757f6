//! The pages for people: server-rendered HTML (askama, auto-escaped), usable without
//! JavaScript, in English and Spanish. Public pages (home, catalogue, verification, shared
//! credentials), the staff's issuer space and the learner space.

mod agreements;
mod catalogue;
mod i18n;
mod issuer;
mod learner;
mod network;
mod public;
mod recognition;
mod sharing;
mod spec_form;
mod supplement;
mod views;

use askama::Template;
use axum::{
    Router,
    extract::{FromRequestParts, Request},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    middleware::{self, Next},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use mc_app::{App, AppError, InstitutionAccess, LearnerAccess, NetworkAccess, Session, SessionUser};

use crate::ServerState;

pub(crate) use self::i18n::{Lang, Texts};
pub use self::supplement::Supplement;

/// The session cookie's name.
const SESSION_COOKIE: &str = "mc_session";
/// The language cookie's name, set by the language switch.
const LANG_COOKIE: &str = "mc_lang";

pub(crate) fn router() -> Router<ServerState> {
    Router::new()
        .route("/", get(public::home))
        .route("/assets/style.css", get(public::style))
        .route("/catalogue", get(catalogue::catalogue))
        .route("/catalogue/{id}", get(catalogue::spec_page))
        .route("/catalogue/{id}/badge", get(public::badge))
        .route("/agreements", get(agreements::list))
        .route("/agreements/{id}", get(agreements::show))
        .route("/agreements/{id}/{action}", post(agreements::sign_or_end))
        .route("/issuer/specs", post(catalogue::save))
        .route("/issuer/specs/form", post(spec_form::post))
        .route("/issuer/specs/new", get(spec_form::new_form))
        .route("/issuer/specs/new/document", get(catalogue::new_form))
        .route("/issuer/specs/{id}", get(catalogue::admin))
        .route("/issuer/specs/{id}/edit", get(spec_form::edit_form))
        .route("/issuer/specs/{id}/document", get(catalogue::edit_form))
        .route("/issuer/specs/{id}/{action}", post(catalogue::change_publication))
        .route("/verify", get(public::verify_form).post(public::verify_submitted))
        .route("/c/{id}", get(public::shared_credential))
        .route("/c/{id}/{file}", get(public::shared_credential_file))
        .route("/c/{id}/{n}/{file}", get(sharing::selection_file))
        .route("/sign-in", get(issuer::sign_in_form).post(issuer::sign_in))
        .route("/sign-out", post(issuer::sign_out))
        .route("/issuer", get(issuer::dashboard))
        .route("/issuer/issue", get(issuer::issue_form).post(issuer::issue))
        .route("/issuer/cohorts", post(issuer::upload_cohort))
        .route("/issuer/consents/{spec}/{action}", post(issuer::answer_consent))
        .route("/issuer/cohorts/{id}", get(issuer::cohort_job))
        .route("/issuer/credentials/{id}", get(issuer::credential))
        .route("/issuer/credentials/{id}/{action}", get(issuer::confirm_form).post(issuer::change_state))
        .route("/network", get(network::dashboard))
        .route("/network/registry/{institution}", post(network::set_accreditation))
        .route("/network/trust/{id}/{action}", post(network::change_trust))
        .route("/network/import", post(network::import))
        .route("/learner/sign-in", get(learner::sign_in_form).post(learner::send_link))
        .route("/learner/link/{secret}", get(learner::confirm_link).post(learner::use_link))
        .route("/learner", get(learner::space))
        .route("/learner/credentials/{id}/{file}", get(learner::download))
        .route("/learner/credentials/{id}/share", post(sharing::share_one))
        .route("/learner/credentials/{id}/wallet", post(learner::wallet_offer))
        .route("/learner/share", post(sharing::share_selection))
        .route("/learner/links/{id}/withdraw", post(sharing::withdraw))
        .route("/learner/links/{id}/presentation.json", get(sharing::presentation))
        .route("/learner/credentials/{id}/recognition", post(learner::ask_recognition))
        .route("/learner/recognition", post(learner::ask_recognition_upload))
        .route("/learner/recognition/{id}/decision.json", get(learner::decision_file))
        .route("/learner/pathways/{id}/issue", post(learner::claim_stacked))
        .route("/learner/stacked/{id}/{file}", get(learner::stacked_file))
        .route("/issuer/recognition", get(recognition::requests))
        .route("/issuer/recognition/{id}", post(recognition::decide))
        .layer(middleware::from_fn(page_headers))
}

/// Sets the pages' security headers, and remembers a language chosen with `?lang=`. A page is
/// not stored by any cache (`Cache-Control: no-store`) when it is private: seen with a session
/// (signed in; the stylesheet excepted, the same for everyone), opening one (it hands out the
/// session's secret), a learner's sign-in link (its page carries the link's secret), or a shared
/// credential (for whoever holds the link while it lasts, and its state may change). `nosniff` is set on every answer by the router.
async fn page_headers(request: Request, next: Next) -> Response {
    let chosen =
        request.uri().query().and_then(|query| query_value(query, "lang")).and_then(|tag| Lang::from_tag(&tag));
    let path = request.uri().path();
    let private = (cookie(request.headers(), SESSION_COOKIE).is_some() && !path.starts_with("/assets/"))
        || path.starts_with("/c/")
        || path.starts_with("/learner/link/");
    let mut response = next.run(request).await;
    let opens_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|value| value.as_bytes().starts_with(format!("{SESSION_COOKIE}=").as_bytes()));
    let headers = response.headers_mut();
    if private || opens_session {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // An answer that set its own policy (a badge image) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                 base-uri 'none'; frame-ancestors 'none'",
            ),
        );
    }
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if let Some(lang) = chosen
        && let Ok(cookie) =
            HeaderValue::from_str(&format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()))
    {
        headers.append(header::SET_COOKIE, cookie);
    }
    response
}

fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|value| value.to_str().ok()).find_map(|value| {
        value.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    })
}

/// Whoever is looking at a page: their language, and their session when signed in.
pub(crate) struct Visitor {
    pub(crate) lang: Lang,
    path: String,
    /// What the change just made did, said in the page it led to (`?done=revoked`).
    done: Option<Done>,
    session: Option<(String, Session, SessionUser)>,
    same_origin: bool,
    secure_cookies: bool,
}

impl FromRequestParts<ServerState> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Visitor, PageError> {
        let app = &state.app;
        let headers = &parts.headers;
        let lang = parts
            .uri
            .query()
            .and_then(|query| query_value(query, "lang"))
            .and_then(|tag| Lang::from_tag(&tag))
            .or_else(|| cookie(headers, LANG_COOKIE).and_then(|tag| Lang::from_tag(&tag)))
            .or_else(|| {
                headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
            })
            .unwrap_or(Lang::En);
        let session = match cookie(headers, SESSION_COOKIE) {
            Some(secret) => app
                .session(&secret, app.now())
                .await
                .map_err(|err| PageError::from_app(lang, err))?
                .map(|(record, user)| (secret, record, user)),
            None => None,
        };
        // A form posted from another site carries its Origin; browsers send one with every POST.
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let same_origin = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            Some(origin) => origin.split_once("://").is_some_and(|(_, authority)| authority == host),
            None => true,
        };
        Ok(Visitor {
            lang,
            path: parts.uri.path().to_owned(),
            done: parts.uri.query().and_then(|query| query_value(query, "done")).and_then(|raw| Done::parse(&raw)),
            session,
            same_origin,
            secure_cookies: app.public_url().starts_with("https://"),
        })
    }
}

impl Visitor {
    /// The frame every page shares.
    pub(crate) fn chrome(&self, title: &str) -> Chrome {
        let (user, staff, network, learner, csrf) = match &self.session {
            Some((_, record, SessionUser::Staff { staff, principal, institution_name })) => {
                let network = principal.is_network_admin();
                let who = match institution_name {
                    Some(name) => format!("{} · {}", staff.name, name.best(&views::tag(self.lang))),
                    None => staff.name.clone(),
                };
                (Some(who), !network, network, false, record.csrf.clone())
            }
            Some((_, record, SessionUser::Learner { learner, .. })) => {
                (Some(learner.name().to_owned()), false, false, true, record.csrf.clone())
            }
            None => (None, false, false, false, String::new()),
        };
        Chrome {
            t: self.lang.texts(),
            notice: self.done.map(|done| i18n::done(self.lang, done)),
            lang: self.lang.code(),
            other_lang: self.lang.other().code(),
            other_lang_name: self.lang.other().name(),
            path: self.path.clone(),
            title: title.to_owned(),
            user,
            staff,
            network,
            learner,
            csrf,
        }
    }

    pub(crate) fn t(&self) -> &'static Texts {
        self.lang.texts()
    }

    /// What the signed-in staff member may do for their institution, or a redirect to the
    /// sign-in page (or, for the network's administrator, to theirs).
    pub(crate) fn member<'a>(&self, app: &'a App) -> Result<InstitutionAccess<'a>, PageError> {
        match &self.session {
            Some((_, _, SessionUser::Staff { principal, .. })) if principal.is_network_admin() => {
                Err(PageError::Redirect("/network".into()))
            }
            Some((_, _, SessionUser::Staff { principal, .. })) => {
                app.acting_as(principal).map_err(|err| self.fail(err))
            }
            _ => Err(PageError::Redirect("/sign-in".into())),
        }
    }

    /// What the signed-in staff member may do for their institution, when a member of one is
    /// signed in (a public page offers them more).
    pub(crate) fn signed_in_member<'a>(&self, app: &'a App) -> Option<InstitutionAccess<'a>> {
        match &self.session {
            Some((_, _, SessionUser::Staff { principal, .. })) => app.acting_as(principal).ok(),
            _ => None,
        }
    }

    /// What the signed-in network administrator may do, or a redirect to the sign-in page; a
    /// member of an institution is refused.
    pub(crate) fn network<'a>(&self, app: &'a App) -> Result<NetworkAccess<'a>, PageError> {
        match &self.session {
            Some((_, _, SessionUser::Staff { principal, .. })) => {
                app.network_admin(principal).map_err(|err| self.fail(err))
            }
            _ => Err(PageError::Redirect("/sign-in".into())),
        }
    }

    /// What the signed-in learner may do, or a redirect to the learner's sign-in page.
    pub(crate) async fn learner<'a>(&self, app: &'a App) -> Result<LearnerAccess<'a>, PageError> {
        match &self.session {
            Some((_, _, SessionUser::Learner { principal, .. })) => {
                app.learner_access(principal).await.map_err(|err| self.fail(err))
            }
            _ => Err(PageError::Redirect("/learner/sign-in".into())),
        }
    }

    /// Refuses a form that did not come from this site's own page: the session's CSRF token
    /// must be in it, and the browser must say it was posted from here.
    pub(crate) fn check_form(&self, csrf: &str) -> Result<(), PageError> {
        let expected = self.session.as_ref().map(|(_, record, _)| record.csrf.as_str());
        match expected.is_some_and(|expected| expected == csrf) && self.same_origin {
            true => Ok(()),
            false => Err(self.error(
                StatusCode::FORBIDDEN,
                "this form has expired or did not come from this site; reload the page and try again",
            )),
        }
    }

    /// Refuses a form posted from another site (for forms used before signing in).
    pub(crate) fn check_origin(&self) -> Result<(), PageError> {
        match self.same_origin {
            true => Ok(()),
            false => Err(self.refuse(StatusCode::FORBIDDEN, "this form did not come from this site")),
        }
    }

    /// The session cookie's secret, when signed in.
    pub(crate) fn session_secret(&self) -> Option<&str> {
        self.session.as_ref().map(|(secret, _, _)| secret.as_str())
    }

    /// A `Set-Cookie` value that opens a session, or (with `None`) ends it.
    pub(crate) fn session_cookie(&self, secret: Option<&str>) -> HeaderValue {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        let value = match secret {
            Some(secret) => format!(
                "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                mc_app::SESSION_SECONDS
            ),
            None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
        };
        HeaderValue::from_str(&value).expect("a cookie of URL-safe characters")
    }

    /// An error page in the visitor's language.
    /// An error page that says `message`, in English (the words of a component that knows no
    /// other language), under a sentence in the visitor's language.
    pub(crate) fn refuse(&self, status: StatusCode, message: &str) -> PageError {
        PageError::Page { status, lang: self.lang, message: message.to_owned(), english: true }
    }

    pub(crate) fn error(&self, status: StatusCode, message: &str) -> PageError {
        PageError::Page { status, lang: self.lang, message: message.to_owned(), english: false }
    }

    /// The error page of a failed use case.
    pub(crate) fn fail(&self, err: AppError) -> PageError {
        PageError::from_app(self.lang, err)
    }
}

/// What every page shows around its content.
pub(crate) struct Chrome {
    pub(crate) t: &'static Texts,
    /// What the change just made did, in a sentence.
    pub(crate) notice: Option<&'static str>,
    pub(crate) lang: &'static str,
    pub(crate) other_lang: &'static str,
    pub(crate) other_lang_name: &'static str,
    pub(crate) path: String,
    pub(crate) title: String,
    pub(crate) user: Option<String>,
    pub(crate) staff: bool,
    /// Signed in as the network's administrator.
    pub(crate) network: bool,
    pub(crate) learner: bool,
    pub(crate) csrf: String,
}

/// A change a staff member made, said on the page it redirects to: `/issuer/credentials/{id}?done=revoked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Done {
    Issued,
    Saved,
    Revoked,
    Suspended,
    Unsuspended,
    Published,
    Withdrawn,
}

impl Done {
    const ALL: [Done; 7] = [
        Done::Issued,
        Done::Saved,
        Done::Revoked,
        Done::Suspended,
        Done::Unsuspended,
        Done::Published,
        Done::Withdrawn,
    ];

    /// Its name in a redirect's query.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Done::Issued => "issued",
            Done::Saved => "saved",
            Done::Revoked => "revoked",
            Done::Suspended => "suspended",
            Done::Unsuspended => "unsuspended",
            Done::Published => "published",
            Done::Withdrawn => "withdrawn",
        }
    }

    fn parse(raw: &str) -> Option<Done> {
        Done::ALL.into_iter().find(|done| done.as_str() == raw)
    }
}

/// A page that could not be shown: an error page, or a redirect (to sign in, say).
pub(crate) enum PageError {
    Page { status: StatusCode, lang: Lang, message: String, english: bool },
    Redirect(String),
}

impl PageError {
    fn from_app(lang: Lang, err: AppError) -> PageError {
        let api = crate::ApiError::from(err);
        PageError::Page { status: api.status(), lang, message: api.message().to_owned(), english: true }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    /// What happened, in the page's language, by the answer's status.
    said: &'static str,
    /// The detail.
    message: String,
    /// The detail is in English on a page in another language.
    english: bool,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Redirect(to) => Redirect::to(&to).into_response(),
            PageError::Page { status, lang, message, english } => {
                let t = lang.texts();
                let chrome = Chrome {
                    t,
                    notice: None,
                    lang: lang.code(),
                    other_lang: lang.other().code(),
                    other_lang_name: lang.other().name(),
                    path: "/".into(),
                    title: t.error_title.into(),
                    user: None,
                    staff: false,
                    network: false,
                    learner: false,
                    csrf: String::new(),
                };
                let mut response = (
                    status,
                    render(&ErrorPage {
                        chrome,
                        said: i18n::error_said(lang, status),
                        message,
                        english: english && lang != Lang::En,
                    }),
                )
                    .into_response();
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    crate::error::retry_soon(&mut response);
                }
                response
            }
        }
    }
}

/// Renders a page; a template that fails is a 500.
pub(crate) fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => crate::ApiError::internal(format!("a page failed to render: {err}")).into_response(),
    }
}

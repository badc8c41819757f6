//! The staff's pages: sign-in, and the issuer space where they issue, upload cohorts and
//! revoke or suspend their institution's credentials, each change confirmed first.

use askama::Template;
use axum::{
    Form,
    extract::{Multipart, Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use mc_app::ConsentState;
use mc_app::{App, CohortJob, CohortSubmission, IssueRequest, LearnerRef, Role, StateChange};
use mc_core::CredentialState;
use mc_vc::proof::Suite;
use serde::Deserialize;

use crate::client::ClientAddress;

use super::{
    Chrome, Done, PageError, Visitor, render,
    views::{CredentialView, SpecRow, day, spec_rows, state_class},
};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    failed: bool,
    /// Minutes to wait before trying again, after too many failures.
    wait_minutes: Option<u64>,
    email: String,
}

/// `GET /sign-in`.
pub(crate) async fn sign_in_form(visitor: Visitor) -> Response {
    let chrome = visitor.chrome(visitor.t().sign_in_title);
    render(&SignInPage { chrome, failed: false, wait_minutes: None, email: String::new() })
}

#[derive(Deserialize)]
pub(crate) struct SignInForm {
    email: String,
    password: String,
}

/// `POST /sign-in`: a session cookie and the issuer space, or the form again.
pub(crate) async fn sign_in(
    State(app): State<App>,
    visitor: Visitor,
    client: ClientAddress,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    visitor.check_origin()?;
    match app.sign_in_staff(&form.email, &form.password, client.0.as_deref(), app.now()).await {
        Ok(session) => {
            let cookie = visitor.session_cookie(Some(&session.secret));
            // The network's administrator is sent on to their page from there.
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/issuer")).into_response())
        }
        Err(mc_app::AppError::Unauthenticated(_)) => {
            let chrome = visitor.chrome(visitor.t().sign_in_title);
            let page = SignInPage { chrome, failed: true, wait_minutes: None, email: form.email };
            Ok((StatusCode::UNAUTHORIZED, render(&page)).into_response())
        }
        Err(mc_app::AppError::TooManyAttempts { retry_after_seconds }) => {
            let chrome = visitor.chrome(visitor.t().sign_in_title);
            let wait_minutes = Some(retry_after_seconds.div_ceil(60));
            let page = SignInPage { chrome, failed: false, wait_minutes, email: form.email };
            let retry = [(header::RETRY_AFTER, retry_after_seconds.to_string())];
            Ok((StatusCode::TOO_MANY_REQUESTS, retry, render(&page)).into_response())
        }
        Err(err) => Err(visitor.fail(err)),
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// `POST /sign-out`, for staff and learners alike.
pub(crate) async fn sign_out(
    State(app): State<App>,
    visitor: Visitor,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    visitor.check_form(&form.csrf)?;
    if let Some(secret) = visitor.session_secret() {
        app.sign_out(secret, app.now()).await.map_err(|err| visitor.fail(err))?;
    }
    Ok(([(header::SET_COOKIE, visitor.session_cookie(None))], Redirect::to("/")).into_response())
}

/// A credential in the issuer's list.
struct CredentialRow {
    id: String,
    learner: String,
    title: String,
    issued: String,
    state: &'static str,
    state_class: &'static str,
}

/// A cohort job in the issuer's list.
struct JobRow {
    id: String,
    submitted: String,
    state: &'static str,
    processed: u64,
    total: u64,
}

/// A request made of the institution to award another's micro-credential with it.
struct ConsentRow {
    spec_id: String,
    title: String,
    issuer: String,
    state: &'static str,
    pending: bool,
}

#[derive(Template)]
#[template(path = "issuer.html")]
struct Dashboard {
    chrome: Chrome,
    institution: String,
    requests: Vec<ConsentRow>,
    admin: bool,
    specs: Vec<SpecRow>,
    /// Unfinished drafts: id, title (or none yet), when saved.
    drafts: Vec<(String, String, String)>,
    credentials: Vec<CredentialRow>,
    /// The search of the credentials, as asked.
    search: CredentialSearch,
    /// How many credentials match it, and the links to the pages before and after.
    total: u64,
    previous: Option<String>,
    next: Option<String>,
    /// The states to search by, each with its words.
    states: Vec<(&'static str, &'static str)>,
    jobs: Vec<JobRow>,
    /// Recognition requests waiting for a decision.
    waiting: usize,
}

/// How many credentials a page of the issuer space lists.
const PAGE: u64 = 50;

/// What the issuer space's credential search asks: `/issuer?q=&spec=&state=&offset=`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CredentialSearch {
    /// Words of the learner's name or email address.
    #[serde(default)]
    q: String,
    #[serde(default)]
    spec: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    offset: u64,
}

impl CredentialSearch {
    /// `/issuer?…` with this search, at `offset`, and the credentials' place in the page.
    fn href(&self, offset: u64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [("q", self.q.as_str()), ("spec", &self.spec), ("state", &self.state)] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if offset > 0 {
            query.append_pair("offset", &offset.to_string());
        }
        format!("/issuer?{}#credentials", query.finish())
    }
}

/// `GET /issuer`: the institution's specifications, cohorts and credentials (searched, a page
/// at a time, newest first).
pub(crate) async fn dashboard(
    State(app): State<App>,
    visitor: Visitor,
    Query(search): Query<CredentialSearch>,
) -> Result<Response, PageError> {
    let member = visitor.member(&app)?;
    let fail = |err| visitor.fail(err);
    let institution = member.institution().await.map_err(fail)?;
    let specs = spec_rows(&member, visitor.lang).await.map_err(fail)?;
    let drafts = member
        .spec_drafts()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(document, saved)| {
            let tag = super::views::tag(visitor.lang);
            let title = document
                .title
                .as_ref()
                .and_then(|titles| titles.get(tag.as_str()).or_else(|| titles.values().next()).cloned());
            (document.id.unwrap_or_default(), title.unwrap_or_default(), day(saved, visitor.lang))
        })
        .collect();
    let state = CredentialState::parse(&search.state);
    let words = Some(search.q.as_str()).filter(|q| !q.trim().is_empty());
    let spec = Some(search.spec.as_str()).filter(|spec| !spec.is_empty());
    let (credentials, total) =
        member.search_credentials(words, spec, state, search.offset, PAGE).await.map_err(fail)?;
    let previous = (search.offset > 0).then(|| search.href(search.offset.saturating_sub(PAGE)));
    let next = search.offset.checked_add(PAGE).filter(|next| *next < total).map(|next| search.href(next));
    let states = [CredentialState::Active, CredentialState::Suspended, CredentialState::Revoked]
        .into_iter()
        .map(|state| (state.as_str(), super::i18n::state(visitor.lang, state)))
        .collect();
    let learners = app.learners_of(&credentials).await.map_err(fail)?;
    let credentials = credentials
        .iter()
        .map(|credential| {
            let learner = learners.get(&credential.learner_id());
            let spec_id = credential.spec_id().to_string();
            CredentialRow {
                id: credential.id().to_owned(),
                learner: learner.map(|learner| format!("{} <{}>", learner.name(), learner.email())).unwrap_or_default(),
                title: specs.iter().find(|spec| spec.id == spec_id).map(|spec| spec.title.clone()).unwrap_or_default(),
                issued: day(credential.issued_at(), visitor.lang),
                state: super::i18n::state(visitor.lang, credential.state()),
                state_class: state_class(credential.state()),
            }
        })
        .collect();
    let jobs = member
        .cohort_jobs()
        .await
        .map_err(fail)?
        .into_iter()
        .map(|job| JobRow {
            id: job.id,
            submitted: day(job.created_at, visitor.lang),
            state: super::i18n::job_state(visitor.lang, job.state),
            processed: job.processed,
            total: job.total,
        })
        .collect();
    let requests = member
        .consents_asked()
        .await
        .map_err(fail)?
        .iter()
        .map(|(consent, spec)| ConsentRow {
            spec_id: spec.id().to_string(),
            title: spec.title().best(&super::views::tag(visitor.lang)).to_owned(),
            issuer: spec.issuer().to_string(),
            state: super::i18n::consent(visitor.lang, consent.state),
            pending: consent.state == ConsentState::Pending,
        })
        .collect();
    let waiting =
        member.recognition_requests().await.map_err(fail)?.iter().filter(|request| request.answer.is_none()).count();
    let name = institution.name().best(&mc_core::LanguageTag::parse(visitor.lang.code()).expect("a tag")).to_owned();
    Ok(render(&Dashboard {
        chrome: visitor.chrome(visitor.t().issuer_title),
        institution: name,
        requests,
        admin: member.role() == Role::Admin,
        specs,
        drafts,
        credentials,
        search,
        total,
        previous,
        next,
        states,
        jobs,
        waiting,
    }))
}

#[derive(Template)]
#[template(path = "issue.html")]
struct IssuePage {
    chrome: Chrome,
    spec_id: String,
    spec_title: String,
}

#[derive(Deserialize)]
pub(crate) struct SpecQuery {
    spec: String,
}

/// `GET /issuer/issue?spec=`: the form to issue one of the institution's specifications.
pub(crate) async fn issue_form(
    State(app): State<App>,
    visitor: Visitor,
    Query(query): Query<SpecQuery>,
) -> Result<Response, PageError> {
    let member = visitor.member(&app)?;
    let (spec, _) = member.spec(&query.spec).await.map_err(|err| visitor.fail(err))?;
    if spec.issuer() != member.institution_id() {
        return Err(visitor.refuse(StatusCode::FORBIDDEN, "this specification is another institution's"));
    }
    let row = SpecRow::new(&spec, false, visitor.lang);
    Ok(render(&IssuePage { chrome: visitor.chrome(visitor.t().issue_title), spec_id: row.id, spec_title: row.title }))
}

#[derive(Deserialize)]
pub(crate) struct IssueForm {
    csrf: String,
    spec: String,
    learner: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    format: String,
}

/// The format chosen in a form; an Open Badge when none was.
fn form_format(raw: &str) -> Result<mc_core::CredentialFormat, mc_app::AppError> {
    match raw.trim() {
        "" => Ok(mc_core::CredentialFormat::OpenBadges),
        raw => mc_core::CredentialFormat::parse(raw).ok_or_else(|| mc_app::AppError::InvalidArgument {
            what: "format",
            source: mc_core::ValueError::new(format!("{raw:?} is not ob3, edc or both")),
        }),
    }
}

/// `POST /issuer/issue`: issues, then shows the credential.
pub(crate) async fn issue(
    State(app): State<App>,
    visitor: Visitor,
    Form(form): Form<IssueForm>,
) -> Result<Response, PageError> {
    let issuer = visitor.member(&app)?.issuer().map_err(|err| visitor.fail(err))?;
    visitor.check_form(&form.csrf)?;
    let grade = form.grade.trim();
    let (learner, name) = (form.learner.trim(), form.name.trim());
    let request = IssueRequest {
        spec: &form.spec,
        learner: match name.is_empty() {
            true => LearnerRef::IdOrEmail(learner),
            false => LearnerRef::Named { email: learner, name },
        },
        suite: Suite::EddsaRdfc2022,
        format: form_format(&form.format).map_err(|err| visitor.fail(err))?,
        cohort_key: None,
        idempotency_key: None,
        grade: (!grade.is_empty()).then_some(grade),
        now: app.now(),
    };
    let (credential, _) = issuer.issue(&request).await.map_err(|err| visitor.fail(err))?;
    Ok(Redirect::to(&format!("/issuer/credentials/{}?done={}", credential.id(), Done::Issued.as_str())).into_response())
}

/// `POST /issuer/cohorts`: a CSV file (multipart form) queued as a cohort job.
pub(crate) async fn upload_cohort(
    State(app): State<App>,
    visitor: Visitor,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let issuer = visitor.member(&app)?.issuer().map_err(|err| visitor.fail(err))?;
    let bad_form = |err: axum::extract::multipart::MultipartError| visitor.refuse(err.status(), &err.body_text());
    let (mut csrf, mut spec, mut csv, mut format) = (String::new(), String::new(), String::new(), String::new());
    while let Some(field) = form.next_field().await.map_err(bad_form)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad_form)?,
            Some("spec") => spec = field.text().await.map_err(bad_form)?,
            Some("file") => csv = field.text().await.map_err(bad_form)?,
            Some("format") => format = field.text().await.map_err(bad_form)?,
            _ => {}
        }
    }
    visitor.check_form(&csrf)?;
    let rows = mc_app::parse_cohort(&csv, false).map_err(|err| visitor.fail(err))?;
    let format = form_format(&format).map_err(|err| visitor.fail(err))?;
    let submission = CohortSubmission { spec: &spec, cohort_key: None, suite: Suite::EddsaRdfc2022, format, rows };
    let job = issuer.submit_cohort(submission, app.now()).await.map_err(|err| visitor.fail(err))?;
    Ok(Redirect::to(&format!("/issuer/cohorts/{}", job.id)).into_response())
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    chrome: Chrome,
    job: CohortJob,
    state: &'static str,
    /// The rows refused, as a spreadsheet numbers them, and what to correct in each.
    rejected: Vec<(usize, String)>,
    running: bool,
}

/// `GET /issuer/cohorts/{id}`: a job's progress, refreshed every 2 s while it runs.
pub(crate) async fn cohort_job(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let job = visitor.member(&app)?.cohort_job(&id).await.map_err(|err| visitor.fail(err))?;
    let running = job.state.is_open();
    let lang = visitor.lang;
    let state = super::i18n::job_state(lang, job.state);
    let rejected = job.rejected.iter().map(|row| (row.line, super::i18n::row_problems(lang, &row.message))).collect();
    Ok(render(&JobPage { chrome: visitor.chrome(visitor.t().job_title), job, state, rejected, running }))
}

#[derive(Template)]
#[template(path = "issuer_credential.html")]
struct CredentialPage {
    chrome: Chrome,
    view: CredentialView,
    actions: Vec<(&'static str, &'static str)>,
}

/// `GET /issuer/credentials/{id}`: one of the institution's credentials, with what may be done.
pub(crate) async fn credential(
    State(app): State<App>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let member = visitor.member(&app)?;
    let credential = member.credential(&id).await.map_err(|err| visitor.fail(err))?;
    let view = CredentialView::load(&app, &credential, visitor.lang).await.map_err(|err| visitor.fail(err))?;
    let t = visitor.t();
    let actions = match (member.role().includes(Role::Issuer), credential.state()) {
        (false, _) | (true, CredentialState::Revoked) => Vec::new(),
        (true, CredentialState::Suspended) => vec![("unsuspend", t.unsuspend), ("revoke", t.revoke)],
        // A European Digital Credential alone has no suspension, only revocation.
        (true, CredentialState::Active) if !view.open_badge => vec![("revoke", t.revoke)],
        (true, CredentialState::Active) => vec![("suspend", t.suspend), ("revoke", t.revoke)],
    };
    Ok(render(&CredentialPage { chrome: visitor.chrome(&view.title), view, actions }))
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    view: CredentialView,
    action: String,
    action_name: &'static str,
    warning: &'static str,
}

/// `GET /issuer/credentials/{id}/{action}`: asks to confirm a revocation or (un)suspension.
pub(crate) async fn confirm_form(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let member = visitor.member(&app)?;
    let t = visitor.t();
    let (action_name, warning) = match action.as_str() {
        "revoke" => (t.revoke, t.confirm_revoke),
        "suspend" => (t.suspend, t.confirm_suspend),
        "unsuspend" => (t.unsuspend, t.confirm_unsuspend),
        _ => return Err(visitor.refuse(StatusCode::NOT_FOUND, "no such action")),
    };
    let credential = member.credential(&id).await.map_err(|err| visitor.fail(err))?;
    // A revoked credential stays revoked: nothing is left to confirm, its page says so.
    if credential.state() == CredentialState::Revoked {
        return Ok(Redirect::to(&format!("/issuer/credentials/{id}")).into_response());
    }
    let view = CredentialView::load(&app, &credential, visitor.lang).await.map_err(|err| visitor.fail(err))?;
    Ok(render(&ConfirmPage { chrome: visitor.chrome(t.confirm_title), view, action, action_name, warning }))
}

#[derive(Deserialize)]
pub(crate) struct ChangeForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /issuer/credentials/{id}/{action}`: does the confirmed change.
pub(crate) async fn change_state(
    State(app): State<App>,
    visitor: Visitor,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, PageError> {
    let issuer = visitor.member(&app)?.issuer().map_err(|err| visitor.fail(err))?;
    visitor.check_form(&form.csrf)?;
    let (change, done) = match action.as_str() {
        "revoke" => (StateChange::Revoke(&form.reason), Done::Revoked),
        "suspend" => (StateChange::Suspend, Done::Suspended),
        "unsuspend" => (StateChange::Unsuspend, Done::Unsuspended),
        _ => return Err(visitor.refuse(StatusCode::NOT_FOUND, "no such action")),
    };
    issuer.change_state(&id, change, app.now()).await.map_err(|err| visitor.fail(err))?;
    Ok(Redirect::to(&format!("/issuer/credentials/{id}?done={}", done.as_str())).into_response())
}

/// `POST /issuer/consents/{spec}/accept|decline`: an admin answers a request to award another
/// institution's micro-credential together.
pub(crate) async fn answer_consent(
    State(app): State<App>,
    visitor: Visitor,
    Path((spec, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    visitor.check_form(&form.csrf)?;
    let accept = match action.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return Err(visitor.refuse(StatusCode::NOT_FOUND, "no such action")),
    };
    let admin = visitor.member(&app)?.admin().map_err(|err| visitor.fail(err))?;
    admin.decide_consent(&spec, accept, app.now()).await.map_err(|err| visitor.fail(err))?;
    Ok(Redirect::to("/issuer").into_response())
}
